"""What each role may do in each kind of step: the one table, and the one function that reads it.

Roles are relative to one assembly: a facilitator of another assembly is `anonymous` here.
Participant actions need the step to be open; staff actions do not (a facilitator tidies
proposals after the step closes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assembly.i18n import N_


class StepKind(StrEnum):
    COLLECT = "collect"
    REVIEW = "review"
    VOTE = "vote"
    DRAFT = "draft"
    ADOPT = "adopt"


STEP_KIND_LABELS: dict[str, str] = {
    StepKind.COLLECT: N_("Collect proposals"),
    StepKind.REVIEW: N_("Group into issues"),
    StepKind.VOTE: N_("Prioritise"),
    StepKind.DRAFT: N_("Draft goals, plans and indicators"),
    StepKind.ADOPT: N_("Adopt the agenda"),
}


class StepStatus(StrEnum):
    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    ORGANIZER = "organizer"
    ASSISTANT = "assistant"
    """A table assistant: staff the organizer grants for one assembly, who enters paper cards
    on behalf of paper participants (docs/paper.md); no console, no steering."""
    WORKING_GROUP = "working_group"
    """A member of the follow-up working group with an account (docs/follow-up.md): sees the
    progress board of the year after the assembly."""
    SECRETARY = "secretary"
    """The working group's secretary or chair with an account: sets up the follow-up (members,
    agencies, reporting links, rounds) as the organizer does."""
    REPORTER = "reporter"
    """Whoever holds an agency's reporting link: not an account; the link names the agency and
    `followup.reports` checks it before asking the table."""


class Action(StrEnum):
    SUBMIT_PROPOSAL = "submit_proposal"
    SUPPORT_PROPOSAL = "support_proposal"
    MODERATE_PROPOSAL = "moderate_proposal"  # hide, restore, fix a typo
    CURATE_ISSUES = "curate_issues"
    CAST_BALLOT = "cast_ballot"
    RUN_VOTE = "run_vote"
    MARK_VOTE = "mark_vote"  # which votes count for the agenda: in any step, votes end early
    SUGGEST_DRAFT = "suggest_draft"
    EDIT_DRAFT = "edit_draft"
    GIVE_CONSENT = "give_consent"
    ADOPT_ITEM = "adopt_item"
    STEER_STEPS = "steer_steps"  # open, close, reopen, timer
    VIEW_ASSEMBLY = "view_assembly"  # its state, agenda, revealed results: anyone with a place
    VIEW_CONSOLE = "view_console"
    MANAGE_ASSEMBLY = "manage_assembly"  # details, networks, steps, facilitators
    ENTER_PAPER = "enter_paper"  # the assistant's page: look a card up, mark a stack entered
    ENTER_PAPER_PROPOSALS = "enter_paper_proposals"  # a proposal card, for a paper participant
    ENTER_PAPER_BALLOT = "enter_paper_ballot"  # a ballot card, for a paper participant
    ENTER_PAPER_SUPPORT = "enter_paper_support"  # a paper participant's support of a proposal
    ENTER_PAPER_CONSENT = "enter_paper_consent"  # a paper participant's consent answer
    MANAGE_FOLLOWUP = "manage_followup"  # working group, agencies, links, rounds, targets
    VIEW_PROGRESS = "view_progress"  # the progress board, its reports and exports
    REPORT_PROGRESS = "report_progress"  # an agency's report through its reporting link


STAFF = frozenset({Role.FACILITATOR, Role.ORGANIZER})
MEMBERS = frozenset({Role.PARTICIPANT, Role.ASSISTANT, *STAFF})
FOLLOWUP_LEADS = frozenset({Role.ORGANIZER, Role.SECRETARY})
PROGRESS_VIEWERS = frozenset({*STAFF, Role.SECRETARY, Role.WORKING_GROUP})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    step_kinds: frozenset[StepKind] | None  # None: not tied to a step at all
    needs_open_step: bool


def _participant_in(*kinds: StepKind) -> Rule:
    return Rule(frozenset({Role.PARTICIPANT}), frozenset(kinds), needs_open_step=True)


def _staff_in(kinds: frozenset[StepKind] | None) -> Rule:
    return Rule(STAFF, kinds, needs_open_step=False)


RULES: dict[Action, Rule] = {
    Action.SUBMIT_PROPOSAL: _participant_in(StepKind.COLLECT),
    Action.SUPPORT_PROPOSAL: _participant_in(StepKind.COLLECT, StepKind.REVIEW),
    Action.CAST_BALLOT: _participant_in(StepKind.VOTE),
    Action.SUGGEST_DRAFT: _participant_in(StepKind.DRAFT),
    Action.GIVE_CONSENT: _participant_in(StepKind.ADOPT),
    Action.MODERATE_PROPOSAL: _staff_in(None),
    Action.CURATE_ISSUES: _staff_in(None),
    Action.RUN_VOTE: _staff_in(frozenset({StepKind.VOTE})),
    Action.MARK_VOTE: _staff_in(None),
    Action.EDIT_DRAFT: _staff_in(frozenset({StepKind.DRAFT, StepKind.ADOPT})),
    Action.ADOPT_ITEM: _staff_in(frozenset({StepKind.ADOPT})),
    Action.STEER_STEPS: _staff_in(None),
    Action.VIEW_ASSEMBLY: Rule(MEMBERS, None, needs_open_step=False),
    Action.VIEW_CONSOLE: _staff_in(None),
    Action.MANAGE_ASSEMBLY: Rule(frozenset({Role.ORGANIZER}), None, needs_open_step=False),
    Action.ENTER_PAPER: Rule(frozenset({Role.ASSISTANT}), None, needs_open_step=False),
    Action.ENTER_PAPER_PROPOSALS: Rule(
        frozenset({Role.ASSISTANT}), frozenset({StepKind.COLLECT}), needs_open_step=True
    ),
    Action.ENTER_PAPER_BALLOT: Rule(
        frozenset({Role.ASSISTANT}), frozenset({StepKind.VOTE}), needs_open_step=True
    ),
    Action.ENTER_PAPER_SUPPORT: Rule(
        frozenset({Role.ASSISTANT}),
        frozenset({StepKind.COLLECT, StepKind.REVIEW}),
        needs_open_step=True,
    ),
    Action.ENTER_PAPER_CONSENT: Rule(
        frozenset({Role.ASSISTANT}), frozenset({StepKind.ADOPT}), needs_open_step=True
    ),
    # The year after the assembly (followup/): tied to no step, the assembly's steps are over.
    Action.MANAGE_FOLLOWUP: Rule(FOLLOWUP_LEADS, None, needs_open_step=False),
    Action.VIEW_PROGRESS: Rule(PROGRESS_VIEWERS, None, needs_open_step=False),
    Action.REPORT_PROGRESS: Rule(frozenset({Role.REPORTER}), None, needs_open_step=False),
}

ON_BEHALF: dict[Action, Action] = {
    Action.SUBMIT_PROPOSAL: Action.ENTER_PAPER_PROPOSALS,
    Action.CAST_BALLOT: Action.ENTER_PAPER_BALLOT,
    Action.SUPPORT_PROPOSAL: Action.ENTER_PAPER_SUPPORT,
    Action.GIVE_CONSENT: Action.ENTER_PAPER_CONSENT,
}
"""A participant's action that an assistant does for a paper participant, and the assistant's
own action whose rule decides it: the domain's use cases (submit a proposal, cast a ballot)
run unchanged, with the paper participant as the participant."""


class Refusal(StrEnum):
    """Why an action is refused, most fundamental reason first."""

    NOT_IN_ASSEMBLY = "not_in_assembly"
    PARTICIPANTS_ONLY = "participants_only"
    STAFF_ONLY = "staff_only"
    ORGANIZER_ONLY = "organizer_only"
    ASSISTANTS_ONLY = "assistants_only"
    REPORTERS_ONLY = "reporters_only"
    WORKING_GROUP_ONLY = "working_group_only"
    SECRETARY_ONLY = "secretary_only"
    WRONG_STEP = "wrong_step"
    STEP_CLOSED = "step_closed"


def refusal(
    role: Role, action: Action, step_kind: StepKind | None = None, step_open: bool = False
) -> Refusal | None:
    """None if `role` may do `action` while a step of `step_kind` is current, else why not."""
    rule = RULES[action]
    if role not in rule.roles:
        if role == Role.ANONYMOUS:
            return Refusal.NOT_IN_ASSEMBLY
        if Role.REPORTER in rule.roles:
            return Refusal.REPORTERS_ONLY
        if Role.WORKING_GROUP in rule.roles:
            return Refusal.WORKING_GROUP_ONLY
        if Role.SECRETARY in rule.roles:
            return Refusal.SECRETARY_ONLY
        if Role.PARTICIPANT in rule.roles:
            return Refusal.PARTICIPANTS_ONLY
        if Role.ASSISTANT in rule.roles:
            return Refusal.ASSISTANTS_ONLY
        if Role.FACILITATOR in rule.roles:
            return Refusal.STAFF_ONLY
        return Refusal.ORGANIZER_ONLY
    if rule.step_kinds is None:
        return None
    if step_kind not in rule.step_kinds:
        return Refusal.WRONG_STEP
    if rule.needs_open_step and not step_open:
        return Refusal.STEP_CLOSED
    return None


def is_allowed(
    role: Role, action: Action, step_kind: StepKind | None = None, step_open: bool = False
) -> bool:
    return refusal(role, action, step_kind, step_open) is None
