"""What a document's repeated fields would cost to validate, bounded before validation runs.

graphql-core's OverlappingFieldsCanBeMerged rule compares every pair of fields that share a
response name in a selection set, and for each pair with selections of their own, every pair of
their subfields, level by level. A 10 kB document of `viewer { id handle displayName }` 300 times
(1,800 tokens, no alias, depth 2: inside every other limit) held the event loop for ~3 s; anyone
could send it, over GET, with no token. 150 fragments each selecting `viewer { id handle }`,
spread side by side, took ~0.5 s.

`excess_repeats` estimates those comparisons: in each selection set (its fields, those of its
inline fragments and of the fragments it spreads, whatever their conditions), a response name
selected k times costs k * k, plus the cost of the selections of those k fields taken together
(every pair of them is compared, so their subfields are too). A document whose fields are all
distinct costs about its number of fields; one that repeats them costs the square. Past
MAX_COMPARISONS, the document is refused before it is validated. The estimate itself stops as soon
as it passes the bound, so it never costs more than the bound.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

# A document of 2,000 distinct fields (the token limit allows no more) costs ~2,000; the repeats
# measured above cost 360,000 (3 s) and 45,000 (0.5 s).
MAX_COMPARISONS = 5_000


class _Over(Exception):
    pass


class _Estimate:
    def __init__(self, document: DocumentNode, budget: int) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.budget = budget
        self.spent = 0

    def charge(self, amount: int) -> None:
        self.spent += amount
        if self.spent > self.budget:
            raise _Over

    def fields(self, selection_set: SelectionSetNode, visiting: frozenset[str], out: list[FieldNode]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self.charge(1)
                out.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                self.fields(selection.selection_set, visiting, out)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                definition = self.fragments.get(name)
                if definition is not None and name not in visiting:  # else validation refuses it
                    self.fields(definition.selection_set, visiting | {name}, out)

    def cost(self, selection_sets: list[SelectionSetNode]) -> None:
        """Charge what comparing the fields of these selection sets, merged, would cost."""
        groups: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            found: list[FieldNode] = []
            self.fields(selection_set, frozenset(), found)
            for field in found:
                groups.setdefault((field.alias or field.name).value, []).append(field)
        for same_name in groups.values():
            self.charge(len(same_name) * len(same_name) - len(same_name))  # each field paid 1 already
            children = [f.selection_set for f in same_name if f.selection_set is not None]
            if children:
                self.cost(children)


def excess_repeats(document: DocumentNode, budget: int = MAX_COMPARISONS) -> str | None:
    """Why validating `document` would cost too much (see the module's docstring); None when
    it would not."""
    estimate = _Estimate(document, budget)
    try:
        for definition in document.definitions:
            if isinstance(definition, (OperationDefinitionNode, FragmentDefinitionNode)):
                estimate.cost([definition.selection_set])
    except _Over:
        return (
            f"The document repeats fields too often: checking that they merge would take over {budget} "
            "comparisons. Select each field once per selection set (use aliases for different arguments)."
        )
    return None
