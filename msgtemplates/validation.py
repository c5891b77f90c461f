"""PLACEHOLDER: replaced by the validation work."""
def check_request(payload, /, *, catalog=None): raise NotImplementedError
def validate_request(payload, /, *, catalog=None): raise NotImplementedError
