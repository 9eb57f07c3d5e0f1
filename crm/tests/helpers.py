"""Helpers shared by the tests."""


def form_data(form) -> dict:
    """What a browser would post back for a drawn form: its current values, hidden ones included."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(getattr(value, "pk", value))
    return data
