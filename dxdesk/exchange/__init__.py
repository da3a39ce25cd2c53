"""Files that travel: the signed workbooks (kit, submission, review) and everything they need.

- ``canonical``: the canonical JSON payload and its hash;
- ``signing``, ``certificates``, ``credentials``: Ed25519 signatures, the central X.509 authority and
  section certificates, the passphrase-encrypted credential inside a kit;
- ``authority``: the central CA and the credentials it issued, kept in the central database;
- ``workbook`` (writer) and ``reader`` (safe reader of the xlsx zip, no openpyxl load): the generic signed
  workbook shared by all kinds, with cell bindings;
- ``verify``: verification with plain-Japanese reasons (used by ``dxdesk verify`` and the merge);
- ``kit``, ``submission``: the two kinds this package writes and reads;
- ``demo``: the complete demo scenario of ``dxdesk demo``.

Format reference: docs/exchange-format.md.
"""
