"""myBo: declaring an insurance claim (first notice of loss) through a guided conversation.

- ``questions``: claim types and their questionnaires, loaded from ``questionnaires/*.json``;
- ``validation``: typed answers and translated reasons for refusing one;
- ``flow``: the pure conversation engine over a serialisable state dict;
- ``records``: tables and CRUD (drafts, submission with reference, status, audited views);
- ``service``: one flow step plus saving the draft, in one call;
- ``actions`` / ``view``: one function per customer action on the claim screen (what UI
  handlers call) and the screen it returns;
- ``attachments``: uploads checked by ``chat_widget.files`` and kept in a ``BlobStore``;
- ``document`` / ``export``: the JSON document of a claim (``docs/claim-schema.json``).
"""
