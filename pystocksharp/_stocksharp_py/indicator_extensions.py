"""``to_float`` and ``process_float`` (our implementation of the helpers StockSharp's Python strategies import)."""


def to_float(value):  # type: ignore[no-untyped-def]
    """A number, a .NET decimal or an indicator value as a Python float (the value itself if none of those)."""
    if hasattr(value, "ToDecimal"):
        return float(value.ToDecimal())
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def process_float(indicator, value, time, is_final):  # type: ignore[no-untyped-def]
    """``indicator.Process(value, time, is_final)`` with a Python number."""
    return indicator.Process(float(value), time, is_final)
