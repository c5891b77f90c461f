"""PLACEHOLDER: replaced by the catalog work."""
class Catalog:  # noqa: D101
    pass
class Rendered:  # noqa: D101
    pass
class Preview:  # noqa: D101
    pass
