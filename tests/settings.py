"""Settings for the test suite: production settings, with what a test run cannot provide."""

import os

# Tests run without DEBUG, like production, but have no secret to keep and no TLS proxy in front.
os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-any-deployment")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "dGVzdC1zdWl0ZS1vbmx5LWZpZWxkLWtleS0wMDAwMDA=")
os.environ.setdefault("FIELD_HASH_KEY", "test-suite-only-field-hash-key")

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

# The queue of a deployment with TASKS_BACKEND=database, beside the inline default, so tests can
# take a job through the queue and the worker (tests/test_task_queue.py).
INSTALLED_APPS = [*INSTALLED_APPS, "django_tasks_db"]  # noqa: F405
TASKS = {**TASKS, "queue": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # noqa: F405
