"""ORM301 n-plus-one."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.module_facts import dotted_name
from expert_lsp.analysis.rule import Invalid, Rule, Valid
from expert_lsp.rules import _frameworks as fw
from expert_lsp.rules import _orm as orm

_MANAGER_CALLS = frozenset({"all", "filter", "exclude", "order_by", "values", "values_list"})
_MANAGER_NOARG = frozenset({"count", "exists", "first", "last"})


class NPlusOne(Rule):
    """A loop over query results reads a relation of each row: one extra query per row.

    Django and SQLAlchemy load relations lazily. `for order in Order.objects.all():
    order.customer.name` runs one query for the orders and then one more *per order*: a page
    of 500 rows becomes 501 round trips. The rule looks at the query the loop iterates
    (directly or through a local variable) and stays quiet when it already eager-loads.

    **Bad**

    ```python
    for order in Order.objects.filter(paid=True):
        print(order.customer.name)
    ```

    **Good**

    ```python
    for order in Order.objects.filter(paid=True).select_related("customer"):
        print(order.customer.name)
    ```

    **Fix**: Django `select_related` (foreign keys) or `prefetch_related` (many-to-many,
    reverse relations); SQLAlchemy `.options(selectinload(...))` or `joinedload(...)`.
    """

    id = "ORM301"
    name = "n-plus-one"
    aliases = ()
    message = "`{access}` in a loop over `{query}` runs one query per row: eager-load it"
    node_types = (ast.For, ast.AsyncFor)

    valid = (
        Valid(
            "def f():\n    for o in Order.objects.select_related('customer'):\n"
            "        print(o.customer.name)\n"
        ),
        Valid(
            "def f():\n    qs = Order.objects.filter(paid=True)\n"
            "    qs = qs.prefetch_related('items')\n"
            "    for o in qs:\n        print(o.items.all())\n"
        ),
        Valid("def f(orders):\n    for o in orders:\n        print(o.customer.name)\n"),
        Valid("def f():\n    for o in Order.objects.all():\n        print(o.created_at.year)\n"),
        Valid("def f():\n    for o in Order.objects.all():\n        print(o.customer_id)\n"),
        Valid(
            "def f():\n    for p in Page.objects.all():\n        p.specific_class.DoesNotExist\n"
        ),
        Valid(
            "def f(apps, schema_editor):\n    for p in Page.objects.all():\n        p.owner.name\n",
            path="app/migrations/0007_backfill.py",
        ),
        Valid(
            "def f(session):\n    stmt = select(User).options(selectinload(User.addresses))\n"
            "    for u in session.scalars(stmt):\n        print(len(u.addresses))\n"
        ),
        Valid("def f(rows):\n    for r in rows.values():\n        print(r.a.b)\n"),
    )
    invalid = (
        Invalid(
            "def f():\n    for o in Order.objects.filter(paid=True):\n"
            "        print(o.customer.name)\n",
            line=3,
        ),
        Invalid(
            "def f():\n    posts = Post.objects.all()\n    for p in posts:\n"
            "        tags = list(p.tags.all())\n",
            line=4,
        ),
        Invalid(
            "def f(session):\n    for u in session.scalars(select(User)):\n"
            "        for a in u.addresses:\n            print(a.city)\n",
            line=3,
        ),
        Invalid(
            "def f(session):\n    for u in session.query(User).all():\n"
            "        print(u.comment_set)\n",
            line=3,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.For | ast.AsyncFor)
        if fw.in_tests_or_migrations(context.path):
            return
        target, iterable = node.target, node.iter
        if isinstance(iterable, ast.Call) and dotted_name(iterable.func) == "enumerate":
            if not iterable.args or not isinstance(target, ast.Tuple) or len(target.elts) != 2:
                return
            target, iterable = target.elts[1], iterable.args[0]
        if not isinstance(target, ast.Name):
            return
        if isinstance(iterable, ast.Call) and syntax.method_name(iterable) == "iterator":
            assert isinstance(iterable.func, ast.Attribute)
            iterable = iterable.func.value
        sources = syntax.source_of(iterable, context)
        if not any(orm.is_queryset_expr(s) or orm.is_sqlalchemy_rows(s) for s in sources):
            return
        if any(orm.has_eager_load(source) for source in sources):
            return
        nodes = list(syntax.walk_body(node.body))
        callees = {id(child.func) for child in nodes if isinstance(child, ast.Call)}
        for child in nodes:
            if isinstance(child, ast.Call):
                access = self._manager_call(child, target.id)
            elif id(child) in callees:  # `row.data.get(...)` is a method call, not a field
                continue
            else:
                access = orm.relation_access(child, target.id)
            if access is not None:
                text = ast.unparse(access)
                query = ast.unparse(iterable)
                yield self.finding(access, context, self.message.format(access=text, query=query))
                return

    @staticmethod
    def _manager_call(call: ast.Call, row: str) -> ast.expr | None:
        method = syntax.method_name(call)
        if method not in _MANAGER_CALLS and not (method in _MANAGER_NOARG and not call.args):
            return None
        assert isinstance(call.func, ast.Attribute)
        field = call.func.value
        if isinstance(field, ast.Attribute) and isinstance(field.value, ast.Name):
            return call if field.value.id == row else None
        return None
