from django.db import models

from cases.validators import validate_resident_id


class ResidentIDField(models.CharField):
    """An 18-character resident ID number (居民身份证号码), checked against GB 11643.

    Input is normalised before validation: surrounding spaces go and a lower-case check
    character x becomes X, the way it is printed on the card.
    """

    default_validators = [validate_resident_id]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip().upper() if isinstance(value, str) else value

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 18:
            del kwargs["max_length"]
        return name, path, args, kwargs
