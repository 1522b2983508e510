"""Settings for the test suite: production settings, with what a test run cannot provide."""

import os

# Tests run without DEBUG, like production, but have no secret to keep and no TLS proxy in front.
os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-any-deployment")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from reliefportal.settings import *  # noqa: E402, F403 (the test settings are the real ones)

# Hashing is deliberately slow in production; the suite creates hundreds of accounts.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The suite runs without `collectstatic`, so it cannot use the hashed-name manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise serves collectstatic's output, which the suite does not build.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
