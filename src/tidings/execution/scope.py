"""Sharing keys: whether an operation's result may depend on who asks, read from its selection.

Two subscribers may share one execution of an event only when their results cannot differ. A
result depends on the viewer exactly when the selection reaches a field marked `@viewerScoped`
(types/viewer.py), so that is what decides, walked the way execution collects fields: through
named fragments (each walked once), inline fragments, aliases (the field's name counts, not the
alias) and `@include` / `@skip` with the operation's variables. A condition that cannot be read
counts as included: doubt means per viewer, never shared.

A viewer-scoped selection is still executed once per event when every viewer field it may reach
is a leaf below the root field, of a type hydrate.py can stand in for (`Sharing.HYDRATED`): the
shared execution leaves those fields out and each recipient resolves only them (hydrate.py).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_abstract_type,
)
from graphql.type import GraphQLNamedType

from ..types.viewer import is_viewer_scoped
from .hydrate import placeholder


class Sharing(Enum):
    """How subscribers of one document and variables may share an event's execution."""

    PUBLIC = "public"  # one execution, the same bytes for everyone
    HYDRATED = "hydrated"  # one execution of everything but the viewer fields, those per viewer
    PER_VIEWER = "per viewer"  # one execution per viewer


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: dict[str, Any],
        variables: Any,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables: dict[str, Any] = variables if isinstance(variables, dict) else {}
        self.defaults: dict[str, Any] = {
            d.variable.name.value: d.default_value for d in operation.variable_definitions or ()
        }
        self.memo: dict[tuple[str, str], bool] = {}
        self.seen: set[tuple[str, str, bool]] = set()

    def included(self, directives: tuple[DirectiveNode, ...] | None) -> bool:
        for directive in directives or ():
            name = directive.name.value
            if name not in ("include", "skip"):
                continue
            condition = self.condition(directive)
            if condition is not None and condition == (name == "skip"):
                return False
        return True

    def condition(self, directive: DirectiveNode) -> bool | None:
        for argument in directive.arguments or ():
            if argument.name.value != "if":
                continue
            value: Any = argument.value
            if isinstance(value, VariableNode):
                name = value.name.value
                if name in self.variables:
                    raw = self.variables[name]
                    return raw if isinstance(raw, bool) else None
                value = self.defaults.get(name)
            return value.value if isinstance(value, BooleanValueNode) else None
        return None

    def types_of(self, parent: GraphQLNamedType) -> list[Any]:
        """The types whose fields a selection on `parent` may reach: itself, and for an
        interface or union every possible object type."""
        types: list[Any] = [parent] if hasattr(parent, "fields") else []
        if is_abstract_type(parent):
            types.extend(self.schema.get_possible_types(parent))
        return types

    def scoped(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType) -> bool:
        for selection in selection_set.selections if selection_set else ():
            if not self.included(selection.directives):
                continue
            if isinstance(selection, FieldNode):
                for owner in self.types_of(parent):
                    field = owner.fields.get(selection.name.value)
                    if field is None:
                        continue  # __typename, or a field of another possible type
                    if is_viewer_scoped(field):
                        return True
                    if selection.selection_set and self.scoped(
                        selection.selection_set, get_named_type(field.type)
                    ):
                        return True
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                if self.scoped(selection.selection_set, target or parent):
                    return True
            elif isinstance(selection, FragmentSpreadNode) and self.fragment(selection.name.value, parent):
                return True
        return False

    def hydratable(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, root: bool
    ) -> bool:
        """Whether every viewer field the selection may reach can be hydrated (see above):
        walked like `scoped`, every field of every possible type, each fragment once."""
        for selection in selection_set.selections if selection_set else ():
            if not self.included(selection.directives):
                continue
            if isinstance(selection, FieldNode):
                for owner in self.types_of(parent):
                    field = owner.fields.get(selection.name.value)
                    if field is None:
                        continue
                    if is_viewer_scoped(field):
                        if root or selection.selection_set or not placeholder(field.type)[0]:
                            return False
                    elif selection.selection_set and not self.hydratable(
                        selection.selection_set, get_named_type(field.type), False
                    ):
                        return False
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                if not self.hydratable(selection.selection_set, target or parent, root):
                    return False
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if (name, parent.name, root) in self.seen:
                    continue
                self.seen.add((name, parent.name, root))
                definition: FragmentDefinitionNode | None = self.fragments.get(name)
                if definition is None:
                    return False
                target = self.schema.get_type(definition.type_condition.name.value) or parent
                if not self.hydratable(definition.selection_set, target, root):
                    return False
        return True

    def fragment(self, name: str, parent: GraphQLNamedType) -> bool:
        key = (name, parent.name)
        if key not in self.memo:
            self.memo[key] = True  # doubt while walking it (a cycle cannot pass validation)
            definition: FragmentDefinitionNode | None = self.fragments.get(name)
            if definition is None:
                return True
            target = self.schema.get_type(definition.type_condition.name.value) or parent
            self.memo[key] = self.scoped(definition.selection_set, target)
        return self.memo[key]


def fragments_of(document: Any) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def _walk_from_root(
    schema: GraphQLSchema,
    document: Any,
    operation: OperationDefinitionNode,
    variables: dict[str, Any] | None,
) -> tuple[_Walk, GraphQLObjectType] | None:
    """A walk of the operation and its root type; None when the schema has no such root."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    return _Walk(schema, operation, fragments_of(document), variables), root


def viewer_scoped(
    schema: GraphQLSchema,
    document: Any,
    operation: OperationDefinitionNode,
    variables: dict[str, Any] | None,
) -> bool:
    """Whether the operation's result may depend on who asks (see the module's docstring)."""
    walking = _walk_from_root(schema, document, operation, variables)
    if walking is None:
        return True
    walk, root = walking
    return walk.scoped(operation.selection_set, root)


def sharing(
    schema: GraphQLSchema,
    document: Any,
    operation: OperationDefinitionNode,
    variables: dict[str, Any] | None,
) -> Sharing:
    """How the operation's subscribers may share an event's execution (see the module's docstring)."""
    walking = _walk_from_root(schema, document, operation, variables)
    if walking is None:
        return Sharing.PER_VIEWER
    walk, root = walking
    if not walk.scoped(operation.selection_set, root):
        return Sharing.PUBLIC
    if walk.hydratable(operation.selection_set, root, True):
        return Sharing.HYDRATED
    return Sharing.PER_VIEWER
