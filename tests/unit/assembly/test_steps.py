"""Role x action x step kind x open/closed, checked against the rules as people say them."""

from __future__ import annotations

import itertools

import pytest

from assembly.steps import RULES, Action, Refusal, Role, StepKind, is_allowed, refusal

# The rules in words: who may do what, in which kinds of step. "(open)" means only while the step
# is open; "any" means in any step, or none. Written apart from RULES so the two can disagree.
SPOKEN_RULES = """
submit_proposal   | participant: collect (open)
support_proposal  | participant: collect review (open)
cast_ballot       | participant: vote (open)
suggest_draft     | participant: draft (open)
give_consent      | participant: adopt (open)
moderate_proposal | facilitator organizer: any
curate_issues     | facilitator organizer: any
run_vote          | facilitator organizer: vote
mark_vote         | facilitator organizer: any
edit_draft        | facilitator organizer: draft adopt
adopt_item        | facilitator organizer: adopt
steer_steps       | facilitator organizer: any
view_assembly     | participant assistant facilitator organizer: any
view_console      | facilitator organizer: any
manage_assembly   | organizer: any
enter_paper       | assistant: any
enter_paper_proposals | assistant: collect (open)
enter_paper_ballot    | assistant: vote (open)
enter_paper_support   | assistant: collect review (open)
enter_paper_consent   | assistant: adopt (open)
manage_followup   | organizer secretary: any
view_progress     | facilitator organizer secretary working_group: any
report_progress   | reporter: any
"""


def spoken_rules() -> dict[Action, tuple[set[Role], set[StepKind | None], bool]]:
    rules = {}
    for line in SPOKEN_RULES.strip().splitlines():
        action, grant = (part.strip() for part in line.split("|"))
        roles, where = grant.split(":")
        kinds = where.replace("(open)", "").split()
        rules[Action(action)] = (
            {Role(r) for r in roles.split()},
            set([*StepKind, None]) if kinds == ["any"] else {StepKind(k) for k in kinds},
            "(open)" in where,
        )
    return rules


def test_every_action_is_spoken_for() -> None:
    assert set(spoken_rules()) == set(Action) == set(RULES)


GRID = list(itertools.product(Role, Action, [*StepKind, None], [True, False]))


@pytest.mark.parametrize(("role", "action", "kind", "step_open"), GRID)
def test_the_rules_table_matches_the_spoken_rules(
    role: Role, action: Action, kind: StepKind | None, step_open: bool
) -> None:
    roles, kinds, needs_open = spoken_rules()[action]
    expected = role in roles and kind in kinds and (step_open or not needs_open)
    assert is_allowed(role, action, kind, step_open) is expected


def test_anonymous_visitors_may_do_nothing() -> None:
    for action, kind in itertools.product(Action, StepKind):
        assert refusal(Role.ANONYMOUS, action, kind, True) == Refusal.NOT_IN_ASSEMBLY


def test_refusals_name_the_most_fundamental_reason() -> None:
    assert refusal(Role.FACILITATOR, Action.SUBMIT_PROPOSAL, StepKind.COLLECT, True) == (
        Refusal.PARTICIPANTS_ONLY
    )
    assert refusal(Role.PARTICIPANT, Action.STEER_STEPS) == Refusal.STAFF_ONLY
    assert refusal(Role.FACILITATOR, Action.MANAGE_ASSEMBLY) == Refusal.ORGANIZER_ONLY
    assert refusal(Role.PARTICIPANT, Action.SUBMIT_PROPOSAL, StepKind.VOTE, True) == (
        Refusal.WRONG_STEP
    )


def test_follow_up_refusals_name_who_may() -> None:
    assert refusal(Role.FACILITATOR, Action.MANAGE_FOLLOWUP) == Refusal.SECRETARY_ONLY
    assert refusal(Role.WORKING_GROUP, Action.MANAGE_FOLLOWUP) == Refusal.SECRETARY_ONLY
    assert refusal(Role.PARTICIPANT, Action.VIEW_PROGRESS) == Refusal.WORKING_GROUP_ONLY
    assert refusal(Role.ORGANIZER, Action.REPORT_PROGRESS) == Refusal.REPORTERS_ONLY
    assert refusal(Role.REPORTER, Action.VIEW_PROGRESS) == Refusal.WORKING_GROUP_ONLY
    assert refusal(Role.REPORTER, Action.VIEW_ASSEMBLY) == Refusal.PARTICIPANTS_ONLY
    assert refusal(Role.PARTICIPANT, Action.SUBMIT_PROPOSAL, StepKind.COLLECT, False) == (
        Refusal.STEP_CLOSED
    )
    assert refusal(Role.PARTICIPANT, Action.SUBMIT_PROPOSAL, None, False) == Refusal.WRONG_STEP
    assert refusal(Role.ORGANIZER, Action.ENTER_PAPER_BALLOT, StepKind.VOTE, True) == (
        Refusal.ASSISTANTS_ONLY
    )
    assert refusal(Role.ASSISTANT, Action.CAST_BALLOT, StepKind.VOTE, True) == (
        Refusal.PARTICIPANTS_ONLY
    )
