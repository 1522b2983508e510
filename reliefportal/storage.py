"""Static files storage for production."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns):
    return tuple(
        (extension, tuple(p for p in rules if "sourceMappingURL" not in str(p)))
        for extension, rules in patterns
    )


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, content-hashed files, except that source-map comments are left
    as they are: the vendored Tom Select names maps its package does not ship, and rewriting
    a missing file's name fails ``collectstatic``. Maps that exist are collected under their
    own names too, so browsers' developer tools still find them."""

    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
