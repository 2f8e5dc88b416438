"""docs/API.md, the reference users read, against the served schema: every type, field,
argument and enum value in its schema blocks exists in `tidings.schema` with the same type
(the served schema may have more), and every link in it and in the README stays in the repo."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import (
    DefinitionNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLObjectType,
    InputObjectTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    parse,
    print_ast,
)

from tidings.schema import schema

FieldsNode = ObjectTypeDefinitionNode | ObjectTypeExtensionNode | InputObjectTypeDefinitionNode
EnumNode = EnumTypeDefinitionNode | EnumTypeExtensionNode
ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "API.md"


def documented() -> list[DefinitionNode]:
    blocks = re.findall(r"```graphql\n(.*?)```", API.read_text(), flags=re.S)
    assert len(blocks) >= 2, "docs/API.md has lost its schema blocks"
    return [d for block in blocks for d in parse(block).definitions]


def field_differences(
    name: str, node: FieldsNode, served: GraphQLObjectType | GraphQLInputObjectType
) -> list[str]:
    found: list[str] = []
    for field in node.fields or ():
        where = f"{name}.{field.name.value}"
        served_field = served.fields.get(field.name.value)
        if served_field is None:
            found.append(f"{where} is not served")
            continue
        if str(served_field.type) != print_ast(field.type):
            found.append(f"{where} is {served_field.type}, documented {print_ast(field.type)}")
        if isinstance(field, FieldDefinitionNode) and isinstance(served_field, GraphQLField):
            for arg in field.arguments or []:
                served_arg = served_field.args.get(arg.name.value)
                documented_type = print_ast(arg.type)
                if served_arg is None:
                    found.append(f"{where}({arg.name.value}:) is not served")
                elif str(served_arg.type) != documented_type:
                    found.append(
                        f"{where}({arg.name.value}:) is {served_arg.type}, documented {documented_type}"
                    )
    return found


def differences() -> list[str]:
    served = schema._schema  # graphql-core's schema behind Strawberry's (tests/test_private_apis.py)
    found: list[str] = []
    for node in documented():
        assert isinstance(node, FieldsNode | EnumNode | ScalarTypeDefinitionNode), print_ast(node)
        name = node.name.value
        kind = served.get_type(name)
        if kind is None:
            found.append(f"type {name} is not served")
        elif isinstance(node, EnumNode):
            assert isinstance(kind, GraphQLEnumType), name
            values = [v.name.value for v in node.values or []]
            found += [f"{name}.{value} is not served" for value in values if value not in kind.values]
        elif isinstance(node, FieldsNode):
            assert isinstance(kind, GraphQLObjectType | GraphQLInputObjectType), name
            found += field_differences(name, node, kind)
    return found


def test_every_documented_type_field_and_argument_is_served_as_documented() -> None:
    assert differences() == []


def test_the_documented_schema_covers_every_root_field() -> None:
    names = {
        (node.name.value, field.name.value)
        for node in documented()
        if isinstance(node, ObjectTypeDefinitionNode | ObjectTypeExtensionNode)
        for field in node.fields or ()
    }
    served = schema._schema
    for root in (served.query_type, served.mutation_type, served.subscription_type):
        assert root is not None
        assert {f for f in root.fields if (root.name, f) not in names} == set(), root.name


def test_links_in_the_readme_and_the_docs_stay_in_the_repository() -> None:
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # a web address, not a file
            path = (page.parent / target).resolve()
            assert path.is_relative_to(ROOT), f"{page.name} links {target}, outside the repository"
            assert path.exists(), f"{page.name} links {target}, which does not exist"
