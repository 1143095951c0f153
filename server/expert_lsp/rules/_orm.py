"""ORM knowledge shared by the ORM and CEL rules: Django querysets and managers, SQLAlchemy
results, eager loading, and which attribute reads of a row are relations."""

from __future__ import annotations

import ast

from expert_lsp.analysis.module_facts import dotted_name
from expert_lsp.analysis.syntax import call_chain, method_name

_EAGER_LOADS = frozenset(
    {
        "select_related",
        "prefetch_related",
        "selectinload",
        "joinedload",
        "subqueryload",
        "contains_eager",
        "immediateload",
        "raiseload",
    }
)
_QUERYSET_METHODS = frozenset(
    {
        "all",
        "filter",
        "exclude",
        "order_by",
        "distinct",
        "select_related",
        "prefetch_related",
        "annotate",
        "only",
        "defer",
        "using",
        "reverse",
        "none",
        "select_for_update",
    }
)


_SQLA_RESULTS = frozenset({"all", "scalars", "unique", "yield_per", "partitions", "fetchall"})


def is_manager_chain(node: ast.expr) -> bool:
    """Whether ``node`` is a Django ``Model.objects...`` chain (``objects`` is the tell)."""
    while isinstance(node, ast.Call | ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def is_queryset_expr(node: ast.expr) -> bool:
    """A lazy Django queryset: ``Model.objects`` followed only by queryset-returning methods."""
    if isinstance(node, ast.Attribute) and node.attr == "objects":
        return True
    if isinstance(node, ast.Subscript):  # slicing keeps a queryset lazy
        return is_queryset_expr(node.value)
    if not isinstance(node, ast.Call) or method_name(node) not in _QUERYSET_METHODS:
        return False
    assert isinstance(node.func, ast.Attribute)
    return is_queryset_expr(node.func.value)


def is_sqlalchemy_rows(node: ast.expr) -> bool:
    """A SQLAlchemy result iterated for entities: ``session.query(M)...``,
    ``session.scalars(select(M))``, ``session.execute(select(M)).scalars().all()``."""
    calls = call_chain(node)
    names = [method_name(call) for call in calls]
    if "query" in names:
        return names[0] in {*_QUERYSET_METHODS, "all", "query", "yield_per", "options"}
    if not calls or names[0] not in {*_SQLA_RESULTS, "execute"}:
        return False
    return any(
        name in {"scalars", "execute"}
        and call.args
        and isinstance(call.args[0], ast.Call)
        and dotted_name(call.args[0].func) in {"select", "sa.select", "sqlalchemy.select"}
        for name, call in zip(names, calls, strict=True)
    )


def has_eager_load(node: ast.AST) -> bool:
    """Whether a query mentions ``select_related``/``prefetch_related``/``selectinload``..."""
    for child in ast.walk(node):
        if isinstance(child, ast.Attribute) and child.attr in _EAGER_LOADS:
            return True
        if isinstance(child, ast.Name) and child.id in _EAGER_LOADS:
            return True
    return False


_SCALAR_FIELDS = ("_at", "_on", "date", "time", "_id", "_dt")
_FILE_FIELDS = frozenset({"file", "image", "avatar", "photo", "picture", "document", "logo", "pk"})
_SCALAR_ATTRS = frozenset(
    {"year", "month", "day", "hour", "minute", "tzinfo", "value", "url", "path", "size", "days"}
)


def relation_access(node: ast.AST, row: str) -> ast.expr | None:
    """A relation read on a loop's row: ``row.author.name``, ``row.comment_set`` or
    ``for x in row.items``; not scalar fields (``row.created_at.year``, ``row.avatar.url``,
    ``row.author_id``) nor class attributes (``row.specific_class.DoesNotExist``)."""
    if isinstance(node, ast.For) and isinstance(node.iter, ast.Attribute):
        inner = node.iter
        return inner if isinstance(inner.value, ast.Name) and inner.value.id == row else None
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node if node.value.id == row and node.attr.endswith("_set") else None
    if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Attribute):
        return None
    field = node.value
    if not (isinstance(field.value, ast.Name) and field.value.id == row):
        return None
    if field.attr.endswith(_SCALAR_FIELDS) or field.attr in _FILE_FIELDS:
        return None
    return None if node.attr in _SCALAR_ATTRS or node.attr[:1].isupper() else node


MATERIALISE = frozenset({"list", "tuple", "set", "sorted", "enumerate", "iter", "next"})


def evaluated_or_reused(function: ast.AST, name: str) -> bool:
    """Whether the function also evaluates the queryset (then `len`/`if qs` reuse its cache),
    or reads it more than once (a second `len()` is free, a second `count()` is not)."""
    reads = [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == name]
    if sum(isinstance(n.ctx, ast.Load) for n in reads) > 1:
        return True
    for node in ast.walk(function):
        iterable: ast.expr | None = None
        if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            iterable = node.iter
        elif isinstance(node, ast.Call) and (dotted_name(node.func) or "") in MATERIALISE:
            iterable = node.args[0] if node.args else None
        elif isinstance(node, ast.Subscript | ast.Starred | ast.Return):
            iterable = node.value
        if isinstance(iterable, ast.Name) and iterable.id == name:
            return True
    return False
