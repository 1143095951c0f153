"""Documents: text snapshots, incremental edits, top-level units and position encodings.

Nothing here knows about LSP libraries; positions are plain ``(line, character)`` pairs and
encodings are named by their LSP spelling (``"utf-16"``, ``"utf-8"``, ``"utf-32"``).
"""
