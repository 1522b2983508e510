from django.core.exceptions import FieldError
from django.db import models
from django.db.models import Q
from django.db.models.expressions import Col

from cases.crypto import (
    decrypt_resident_id,
    encrypt_resident_id,
    encrypt_resident_id_mask,
    normalise_resident_id,
    resident_id_digest,
    resident_id_tail_digest,
)
from cases.uniqueness import refuse_duplicate
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


class EncryptedResidentIDField(ResidentIDField):
    """A resident ID number that Python code reads and writes in clear and the database holds
    only as ciphertext (see ``cases.crypto``).

    The model also needs ``<name>_digest`` and ``<name>_tail`` (``ResidentIDDigestField``):
    ciphertext cannot be compared, so ``exact`` and ``endswith`` lookups on this field are
    answered from those keyed hashes instead. Other lookups are not supported.
    """

    def get_internal_type(self):
        # An 18-character number makes a 67-character token (a legacy Fernet one 120): text.
        return "TextField"

    def from_db_value(self, value, expression, connection):
        return decrypt_resident_id(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt_resident_id(value) if value else value


class ResidentIDDigestField(models.CharField):
    """The keyed hash of another field's resident ID number, filled on every save and by
    ``bulk_create``: ``part="whole"`` hashes the whole number, ``part="tail"`` its last four
    characters; ``part="mask"`` holds its encrypted masked form instead
    (``ResidentIDMaskField``)."""

    HASHERS = {
        "whole": resident_id_digest, "tail": resident_id_tail_digest,
        "mask": encrypt_resident_id_mask,
    }

    def __init__(self, *args, source="id_number", part="whole", **kwargs):
        self.source, self.part = source, part
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, default in (("max_length", 64), ("editable", False), ("blank", True),
                             ("default", "")):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        if self.source != "id_number":
            kwargs["source"] = self.source
        if self.part != "whole":
            kwargs["part"] = self.part
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = self.HASHERS[self.part](getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class ResidentIDMaskField(ResidentIDDigestField):
    """The masked form of another field's resident ID number (412822********123X), encrypted
    with the mask key (``cases.crypto.encrypt_resident_id_mask``): what an export made by
    PostgreSQL writes in the ID number's column, without the whole number's key."""

    def __init__(self, *args, **kwargs):
        kwargs["part"] = "mask"
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("part", None)
        return name, path, args, kwargs


def resident_id_mask_constraint(name, field_name="id_number"):
    """A row with a number has its mask, a row without one has none: an export written by
    PostgreSQL reads the mask alone (``cases.sql_exports``)."""
    digest, mask = f"{field_name}_digest", f"{field_name}_mask"
    return models.CheckConstraint(
        condition=Q(**{digest: "", mask: ""}) | (~Q(**{digest: ""}) & ~Q(**{mask: ""})),
        name=name,
    )


class HashedLookup(models.Lookup):
    """``id_number = v`` becomes ``id_number_digest = hmac(v)`` on the same table alias."""

    prepare_rhs = False

    def target(self, value):
        """(the hash column's suffix, the hash to compare it with), or None for no match."""
        return "_digest", resident_id_digest(value)

    def as_sql(self, compiler, connection):
        if not isinstance(self.lhs, Col) or hasattr(self.rhs, "resolve_expression"):
            raise FieldError(
                f"An encrypted ID number can only be compared with a value ({self.lookup_name})."
            )
        target = self.target(normalise_resident_id(self.rhs))
        if target is None:
            return "1 = 0", []
        suffix, digest = target
        field = self.lhs.target
        column = Col(self.lhs.alias, field.model._meta.get_field(f"{field.name}{suffix}"))
        sql, params = compiler.compile(column)
        return f"{sql} = %s", [*params, digest]


@EncryptedResidentIDField.register_lookup
class HashedExact(HashedLookup):
    lookup_name = "exact"


@EncryptedResidentIDField.register_lookup
class HashedIExact(HashedLookup):
    lookup_name = "iexact"


@EncryptedResidentIDField.register_lookup
class HashedEndsWith(HashedLookup):
    """The last four characters (as read out on the phone), or the whole number."""

    lookup_name = "endswith"

    def target(self, value):
        if len(value) == 4:
            return "_tail", resident_id_tail_digest(value)
        if len(value) == 18:
            return "_digest", resident_id_digest(value)
        return None


@EncryptedResidentIDField.register_lookup
class HashedIEndsWith(HashedEndsWith):
    lookup_name = "iendswith"


def validate_resident_id_unique(instance, exclude, field_name="id_number"):
    """Model.validate_unique for an encrypted ID number: the unique column is the hash, which
    no form shows, so the check runs whenever the number itself is validated and the error
    lands on the number's field (the same error wherever the other record is:
    ``cases.uniqueness``)."""
    value = getattr(instance, field_name)
    if not value or (exclude and field_name in exclude):
        return
    others = instance._meta.model._default_manager.exclude(pk=instance.pk)
    refuse_duplicate(
        instance, field_name,
        others.filter(**{f"{field_name}_digest": resident_id_digest(value)}),
        instance._meta.get_field(field_name).verbose_name,
    )
