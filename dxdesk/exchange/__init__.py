"""Files that travel: the signed workbooks (kit, submission, and the review workbook of the central
office) and everything they need. Format reference: docs/exchange-format.md.

- ``canonical``: the canonical JSON payload and its hash;
- ``signing``, ``certificates``, ``credentials``: Ed25519 signatures, the central X.509 authority and
  section certificates, passphrases and the passphrase-encrypted credential inside a kit;
- ``credentials_store``: private keys at rest, sealed with DPAPI or under a passphrase, and the
  passphrases remembered for the session;
- ``authority``: the central CA and the credentials it issued (central database), the section's own
  credential and its signing key, ``load_trust`` for verification and the installation's trust anchor;
- ``workbook`` (signed workbook writer, ``read_signed``), ``reader`` (safe xlsx reader, no openpyxl
  load), ``layout`` (printable A4 forms): the generic machinery every kind uses;
- ``verify``: verification with plain-Japanese reasons (``dxdesk verify`` and the merge);
- ``kit``, ``kit_sheets``, ``slips``, ``kit_import``: issuing kits and passphrase slips, importing a kit;
- ``submission``, ``submission_sheets``, ``measure_sheet``: the signed submission and its sheets;
- ``demo``: the complete scenario of ``dxdesk demo``; ``parallel``: work spread over processes;
- ``commands``: the command-line subcommands.
"""
