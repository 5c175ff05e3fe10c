"""Properties of the reader over generated returns: whatever the layout a clerk chose, what the return holds
is read back exactly; the order of the columns and the words over them change nothing; a deleted row leaves
its indicator missing and shifts no other.

The examples are bounded and derandomized in the ``ci`` profile (1,100 returns in all, the same on every run);
``pytest --hypothesis-profile=thorough tests/intake`` runs ten times as many, freshly drawn.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lgqa_metrics.domain.ratings import Rating
from lgqa_metrics.intake.reader import ParsedReturn, read_bytes
from lgqa_metrics.synthetic.forms import FormContent
from tests.support.builders import CODES
from tests.support.strategies import SYNONYMS, Form, contents, forms_, layouts

#: The long property runs: left out by ``scripts/test.sh --fast``.
pytestmark = pytest.mark.slow
#: Examples per property, in multiples of the profile's ``max_examples`` (profiles: ``tests/conftest.py``).
MANY = settings(max_examples=settings().max_examples * 5)
SOME = settings(max_examples=settings().max_examples * 2)


def the_return(form: Form) -> ParsedReturn:
    """The one return read from ``form``'s workbook, which must be accepted."""
    result = read_bytes(form.data(), "bao_cao.xlsx")
    assert result.issues == (), [(i.code, i.cell, i.message_en) for i in result.issues]
    assert len(result.returns) == 1, [r.sheet for r in result.returns]
    ret = result.returns[0]
    errors = [(i.code, i.cell, i.value) for i in ret.issues if i.severity == "error"]
    assert not errors, errors
    return ret


def content_of(ret: ParsedReturn) -> dict[str, tuple[Rating, str, str]]:
    """Each indicator as read: rating, evidence, note."""
    return {r.code: (r.rating, r.evidence, r.note) for r in ret.ratings}


@MANY
@given(forms_())
def test_what_a_return_holds_is_read_back_exactly(form: Form) -> None:
    ret = the_return(form)
    assert content_of(ret) == form.expected()
    assert (ret.unit_id, ret.year) == ("q-hong-bang", 2023)


@SOME
@given(forms_(), st.data())
def test_permuting_the_columns_changes_nothing(form: Form, data: st.DataObject) -> None:
    cols = form.layout.columns
    order = data.draw(st.permutations(range(len(cols))))
    grouped = [c for c in cols if c.group]  # a group's columns stay side by side under their title
    moved = tuple(cols[i] for i in order if not cols[i].group)
    at = data.draw(st.integers(0, len(moved)))
    permuted = replace(form, layout=replace(form.layout, columns=(*moved[:at], *grouped, *moved[at:])))
    assert content_of(the_return(permuted)) == content_of(the_return(form)) == form.expected()


@SOME
@given(forms_(), st.data())
def test_a_synonym_over_a_column_changes_nothing(form: Form, data: st.DataObject) -> None:
    cols = list(form.layout.columns)
    named = [k for k, c in enumerate(cols) if c.role in SYNONYMS and not c.group]
    assume(named)  # every column under a group title: nothing of its own to rename
    i = data.draw(st.sampled_from(named))
    cols[i] = replace(cols[i], header=data.draw(st.sampled_from(SYNONYMS[cols[i].role])))
    swapped = replace(form, layout=replace(form.layout, columns=tuple(cols)))
    assert content_of(the_return(swapped)) == form.expected()


@SOME
@given(layouts(), st.data())
def test_a_deleted_row_leaves_its_indicator_missing_and_shifts_no_other(layout: object, data: st.DataObject) -> None:
    full = data.draw(contents(layout, deleted=0))  # type: ignore[arg-type]
    gone = data.draw(st.sampled_from([c for c, e in full.entries.items() if e.rating is not Rating.MISSING]))
    kept = FormContent({c: e for c, e in full.entries.items() if c != gone})
    before = content_of(the_return(Form(layout, full)))  # type: ignore[arg-type]
    after = content_of(the_return(Form(layout, kept)))  # type: ignore[arg-type]
    assert after[gone] == (Rating.MISSING, "", "")
    assert {c: v for c, v in after.items() if c != gone} == {c: v for c, v in before.items() if c != gone}
    assert set(after) == set(CODES)
