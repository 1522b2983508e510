"""How imported rows find the people already registered: by resident ID number.

Members and labor models are matched on their ID number. ID numbers are stored encrypted, so
the match goes through their keyed hash (``cases.crypto.resident_id_digest``), never through
the plaintext; everything that looks people up by ID number goes through ``by_id_number``.
"""

from cases.crypto import resident_id_digest


def by_id_number(queryset, id_numbers):
    """{id_number: row} for the rows of ``queryset`` whose ID number is in ``id_numbers``."""
    digests = {resident_id_digest(value): value for value in id_numbers if value}
    if not digests:
        return {}
    # The number is known from the digest: it need not be decrypted for every row found.
    found = {}
    for row in queryset.filter(id_number_digest__in=list(digests)).defer("id_number"):
        row.id_number = digests[row.id_number_digest]
        found[row.id_number] = row
    return found
