"""TOTP devices (django-otp): set up, confirm, check a code, remove."""

import logging
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger("accounts.security")


def confirmed_device(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def unconfirmed_device(user):
    """The device being set up: the same secret until it is confirmed, so a reload of the page
    does not invalidate what the user has already scanned."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


def secret(device):
    """The key in base32, in groups of four, for typing into an authenticator app."""
    encoded = b32encode(device.bin_key).decode()
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def qr_code_svg(device):
    """The otpauth:// URL as an inline SVG (no image service, nothing leaves the server)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def check_code(device, code):
    """Checks a code against the device; returns an error message, or None if it is accepted.

    A code is accepted once: the device keeps the last time step it accepted (``last_t``).
    Failures slow the next attempt down (django-otp's throttling doubles the wait each time).
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            logger.warning("two-factor code refused for user %s: throttled", device.user_id)
            return _("验证码错误次数过多，请稍后再试。")
        if device.verify_token(code):
            return None
    logger.warning("two-factor code refused for user %s", device.user_id)
    return _("验证码不正确或已经用过，请输入验证器上的新验证码。")


def confirm(device, user):
    """Makes the set-up device the user's only device."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    logger.info("two-factor device confirmed for user %s", user.pk)
    return device


def remove_devices(user):
    TOTPDevice.objects.filter(user=user).delete()
    logger.info("two-factor devices removed for user %s", user.pk)
