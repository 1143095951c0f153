"""WEB404 drf-all-fields."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from expert_lsp.analysis import syntax
from expert_lsp.analysis.context import NodeContext
from expert_lsp.analysis.findings import Finding
from expert_lsp.analysis.module_facts import dotted_name
from expert_lsp.analysis.rule import Invalid, Rule, Valid

_MODEL_BOUND = ("ModelSerializer", "ModelForm")


class DrfAllFields(Rule):
    """`fields = "__all__"` exposes every model column, including the ones added later.

    A serializer or form that takes all fields publishes (and for writes, accepts) whatever
    the model grows next: an `is_staff` flag, a password hash, an internal note. The API
    contract then changes with every migration, silently.

    **Bad**

    ```python
    class UserSerializer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = "__all__"
    ```

    **Good**

    ```python
    class UserSerializer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "username", "email"]
    ```

    **Fix**: list the fields explicitly (and mark server-set ones `read_only_fields`).
    """

    id = "WEB404"
    name = "drf-all-fields"
    aliases = ("DJ007",)
    message = '`fields = "__all__"` in `{owner}` exposes every current and future model field'
    node_types = (ast.Assign,)

    valid = (
        Valid(
            "class S(serializers.ModelSerializer):\n    class Meta:\n"
            "        model = User\n        fields = ['id', 'email']\n"
        ),
        Valid(
            "class F(django_filters.FilterSet):\n    class Meta:\n"
            "        model = User\n        fields = '__all__'\n"
        ),
        Valid("class Meta:\n    fields = '__all__'\n"),
    )
    invalid = (
        Invalid(
            "from rest_framework import serializers\n\n"
            "class S(serializers.ModelSerializer):\n    class Meta:\n"
            "        model = User\n        fields = '__all__'\n",
            line=6,
        ),
        Invalid(
            "from django import forms\n\nclass ProfileForm(forms.ModelForm):\n"
            "    class Meta:\n        model = Profile\n        fields = '__all__'\n",
            line=6,
        ),
    )

    def visit(self, node: ast.AST, context: NodeContext) -> Iterator[Finding]:
        assert isinstance(node, ast.Assign)
        if not syntax.is_constant(node.value, "__all__") or len(context.ancestors) < 2:
            return
        if not any(isinstance(t, ast.Name) and t.id == "fields" for t in node.targets):
            return
        meta, owner = context.ancestors[-1], context.ancestors[-2]
        if not (isinstance(meta, ast.ClassDef) and meta.name == "Meta"):
            return
        if not isinstance(owner, ast.ClassDef):
            return
        bases = [dotted_name(base) or "" for base in owner.bases]
        if any(base.endswith(_MODEL_BOUND) for base in bases):
            yield self.finding(node, context, self.message.format(owner=owner.name))
