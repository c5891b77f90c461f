"""PLACEHOLDER: replaced by the validation work."""
class Outcome:  # noqa: D101
    pass
def check_response(payload, /): raise NotImplementedError
def interpret_response(payload, /): raise NotImplementedError
