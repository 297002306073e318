"""The words of the three-cycle PSW pilot: comment phrase banks, interview scripts and notes.

All wording is ours. The facts behind it come from the seeds: the five learnings of the CMHA
Calgary pilot (seed 000), the critical-reflection questions (seed 001 Appendix C) and the
barriers and enablers of seed 001 §2.A. ``bench.pilot_data`` turns these into export files.

Scripts are lists of ``(speaker key, words)``; the keys are resolved to synthetic names in
``bench.pilot_data.PEOPLE``. ``{canary_phone}`` and ``{canary_name}`` mark where planted
identifiers go (see examples/psw-pilot-3/README.md).
"""

from __future__ import annotations

#: Answers to "What would make this group better for you?", by phase of the pilot and tone.
BETTER: dict[str, dict[str, tuple[str, ...]]] = {
    "early": {
        "warm": (
            "More time at the end to talk with each other.",
            "Hearing how the peer worker got through the first year was the most useful part.",
            "Keep the handouts, they help me remember what we covered.",
            "Starting on time would help, I have to leave right at the end.",
        ),
        "cool": (
            "I was not sure who to ask about what. Is the peer worker a counsellor too?",
            "Some weeks it felt like two people were running two different groups.",
            "The peer worker's story was a lot to hear the week my mom's anniversary came up.",
            "Clearer rules about what we share outside the group.",
            "It felt rushed when both leaders wanted to add something.",
        ),
    },
    "adapted": {
        "warm": (
            "I like that they explain at the start who does what.",
            "The peer worker and the counsellor seem to work as a team now.",
            "Smaller break-out circles would let quieter people talk.",
            "Nothing to change, this group is the one thing I look forward to each week.",
            "Maybe a reading list for the weeks between sessions.",
        ),
        "cool": (
            "Sometimes the lived experience part went long and we ran out of time.",
            "The room is cold and the chairs are hard.",
            "I would like the same facilitators every week.",
        ),
    },
    "adopted": {
        "warm": (
            "It already works well. Please keep the peer worker in the group.",
            "I would come to a follow-up group once this one ends.",
            "An evening option for people who work days.",
            "The mix of the counsellor's information and the peer's real life examples is just right.",
        ),
        "cool": (
            "Parking is hard to find on group nights.",
            "A little more structure in the second half.",
        ),
    },
    "family-early": {
        "warm": (
            "Good information about services for my son.",
            "Meeting other parents helps more than I expected.",
        ),
        "cool": (
            "The peer worker talked about their own recovery, but I am here as a parent. Different thing.",
            "I wanted to hear from someone who has supported a family member, not only from someone who used services.",
            "Too much about the person who is unwell and not enough about us as families.",
        ),
    },
    "family-matched": {
        "warm": (
            "The new peer worker has a brother with addiction, she gets what it is like at home.",
            "Practical tips from another family member are what I came for.",
            "I finally feel less alone with this.",
        ),
        "cool": (
            "Would like handouts in other languages for my partner.",
            "Sessions could be a bit longer.",
        ),
    },
}

#: Answers to "Is there anything you want to tell us about having a peer support worker in the group?"
PEER: dict[str, tuple[str, ...]] = {
    "early": (
        "It helps to see someone who has been where I am and is still standing.",
        "I did not know what a peer support worker was before this.",
        "Their story was honest but some of it was hard to hear.",
        "They explained things in plain words when the handout was confusing.",
    ),
    "adapted": (
        "They say at the start what they will and won't share, which I appreciate.",
        "Talking with someone who is not a professional makes it easier to be honest.",
        "The peer worker gave examples from real life that made the counsellor's points click.",
    ),
    "adopted": (
        "I trust the peer worker. They have been there.",
        "Please make this a permanent part of the group.",
        "Their examples make the information feel possible, not just theory.",
    ),
    "family-early": (
        "Not sure the peer worker's experience matches what families go through.",
        "Kind person but I could not relate much.",
    ),
    "family-matched": (
        "She knows what it is like to be the sister, the driver, the one who calls the crisis line.",
        "Finally someone who understands the family side.",
    ),
}

#: Answers to "What would help peer support work well in your program?" (staff survey), by cycle.
STAFF_HELP: dict[str, tuple[str, ...]] = {
    "cycle-1": (
        "A written description of what the PSW does in group and what stays with the counsellor.",
        "Time after each session to talk through what came up.",
        "Some guidance on how much of their own story PSWs should share in a grief group.",
        "Planning time is the problem. Our caseloads did not shrink when the pilot started.",
        "Clear confidentiality expectations for everyone in the room, written down.",
        "More information for the whole team about what peer support is and is not.",
    ),
    "cycle-2": (
        "The debriefs are working. Keep them protected in the schedule.",
        "Role descriptions helped a lot, we refer to them before each session.",
        "A check-in with the PSW lead every few weeks, not only when something goes wrong.",
        "Boundary training for PSWs and counsellors together.",
        "Funding for PSW hours beyond the pilot.",
    ),
    "cycle-3": (
        "Before spreading to another program, ask its staff how their groups run.",
        "Match PSWs to groups by their lived experience. Family groups need family experience.",
        "Keep debriefs when we spread, they are what makes this safe.",
        "A readiness conversation with each PSW before they join a new group.",
        "Paid PSW hours in next year's budget.",
    ),
}

#: The interview guides, in our words, after the critical-reflection questions (seed 001 Appendix C).
QUESTIONS: dict[str, tuple[str, ...]] = {
    "psw": (
        "What has it been like to bring your own experience into the group?",
        "What support from the team helps you do this work in a way that stays healthy for you?",
        "Have your boundaries with participants shifted at all? How?",
        "How do you and the counsellor split the work in a session?",
        "What would you change before the next cycle?",
    ),
    "counsellor": (
        "How is the peer support worker's part of the group similar to yours, and how is it different?",
        "Has working alongside a peer colleague raised any worries for you?",
        "When something has been hard with the peer role, where did it come from?",
        "In what ways has the PSW changed what participants get from the group?",
        "What would you change before the next cycle?",
    ),
    "manager": (
        "Why are we bringing peer support workers into the groups, in your view?",
        "How does the team show that it values the PSWs' part in decisions?",
        "What would help other staff understand the peer role better?",
        "How would team routines need to change to include PSWs fully?",
        "What does this cycle tell you about the next step?",
    ),
}

#: Interview answers by cycle and role, one per guide question (a tuple is several turns).
ANSWERS: dict[tuple[str, str], tuple[tuple[str, ...], ...]] = {
    ("cycle-1", "psw"): (
        (
            "It feels meaningful. When I say I lost my dad and still have bad days, people sit up. "
            "The counsellor can't say that, so there's a space only I can fill.",
        ),
        (
            "Honestly we haven't had much. We plan together on Monday but after group everyone rushes off. "
            "In week six a participant's story was very close to mine and I went home shaky.",
            "A real debrief after each session would help, even fifteen minutes.",
        ),
        (
            "A bit. One participant wrote her cell on a sticky note for me, {canary_phone}, and I did not know "
            "what to do with it. I gave it to the counsellor the next week.",
        ),
        (
            "It is not clear yet. Some weeks I'm asked to co-teach the content, some weeks I just sit in. "
            "Participants ask me clinical questions and I'm not sure where my line is.",
        ),
        ("Write down what the PSW does and doesn't do in the group, and protect time to debrief.",),
    ),
    ("cycle-1", "counsellor"): (
        (
            "I bring the psychoeducation and I hold the clinical risk. The PSW brings their story, which I'm "
            "not allowed to do, and people open up to that in a different way.",
        ),
        (
            "At first I wondered whether this meant the agency thinks the groups don't need counsellors. "
            "A previous attempt here left people with that impression.",
            "Confidentiality also worried me, since PSWs are not bound by a college the way I am.",
        ),
        (
            "Mostly from not having agreed who does what. And we had no time built in to talk after sessions, "
            "so small things grew.",
        ),
        ("Participants relate to the PSW. They explain the handouts in plain words and give real examples.",),
        ("Scheduled debriefs, and a written role description we can both point to.",),
    ),
    ("cycle-1", "manager"): (
        (
            "Our strategic plan asks us to bring peer support into every program with intention. "
            "We started here because the counsellors had the capacity and the willingness.",
        ),
        (
            "We invited the PSWs into planning the session content from the start, which is co-creation "
            "in practice. We need to do the same for decisions about the pilot itself.",
        ),
        (
            "Leadership has to say clearly that the PSW role sits beside counselling, it does not replace it. "
            "Staff don't have a clear picture of peer support yet.",
        ),
        (
            "Everyone is stretched. The counsellors' caseloads stayed the same, so planning and debriefs "
            "compete with everything else.",
        ),
        ("Adapt, not abandon. Add debriefs after every session and write the role descriptions.",),
    ),
    ("cycle-2", "psw"): (
        (
            "Better than the first round. I share less but more on purpose now, I ask myself whether it helps "
            "the group or just me.",
        ),
        (
            "The debriefs. Fifteen minutes after every session where we can say this was hard for me. "
            "It feels like a safe space to talk about triggers.",
        ),
        (
            "The role description gave me words for it. When someone asks for my number I can say that is not "
            "part of my role and point them to the counsellor.",
        ),
        (
            "We agreed it up front. The counsellor leads the content, I add an example from my own life and "
            "I check in with people at the break.",
        ),
        ("Keep this. Maybe try it in the bereavement group with a PSW who is ready for that topic.",),
    ),
    ("cycle-2", "counsellor"): (
        (
            "We are equal partners with different skill sets now. I do the clinical part, the PSW makes it "
            "real for people. It complements what I do.",
        ),
        (
            "Fewer worries. The role description settled the confidentiality question because it is written "
            "into the PSW's agreement like mine.",
        ),
        ("When it was hard, it was usually the schedule, not the person.",),
        (
            "They stay longer and they talk more. Participants who never spoke in my groups before talk to "
            "the PSW at the break and then bring it into the circle.",
        ),
        ("Nothing big. Protect the debrief time and keep the PSW lead in the loop.",),
    ),
    ("cycle-2", "manager"): (
        (
            "The early data made the case. Participants say they feel safer and the staff survey shows the "
            "team finds it more workable than in the first round.",
        ),
        ("The PSWs helped write their own role descriptions. That mattered to them and to the counsellors.",),
        (
            "Sharing the role descriptions with everyone, not only the pilot team. We presented them at the "
            "all-staff meeting.",
        ),
        ("Debriefs are now part of the session time on the schedule, paid for everyone.",),
        (
            "We're ready to adopt it in the groups we have and to spread it. Family support is next, but "
            "we should ask that team how their group runs before we assume it will look the same.",
        ),
    ),
    ("cycle-3", "psw"): (
        (
            "In the family group it was different. My experience is my own recovery, and the parents wanted "
            "someone who had been the family member. I felt like the wrong fit for the first few weeks.",
        ),
        (
            "The debriefs and a readiness talk with our PSW lead before I started. We agreed I would move to "
            "the grief group and a PSW with family experience would take the family group.",
        ),
        ("They are steadier now. I know where my line is and the team backs me up.",),
        ("Same as before. The counsellor leads, I bring the lived-experience examples.",),
        (
            "Match PSWs to programs by their experience and where they are in their recovery. Not every PSW "
            "fits every group.",
        ),
    ),
    ("cycle-3", "counsellor"): (
        ("Different work, same goal. I would not run the grief group without a PSW now.",),
        ("My only worry is workload as we spread. The family team is new to this and will lean on us.",),
        (
            "The family group showed us that what worked in grief does not simply carry over. The program "
            "staff knew that and we should have asked them first.",
        ),
        (
            "They fill the learning gaps. A participant, {canary_name}, told me the PSW's example was the first "
            "time the grief model made sense to her.",
        ),
        ("Keep the debriefs, keep the role descriptions, and ask each new program how it runs.",),
    ),
    ("cycle-3", "manager"): (
        ("Because it works for participants, and because the team has learned how to make it safe.",),
        ("The PSWs are in the spread planning meetings with a vote, not as guests.",),
        ("Each program gets its own role description and an ideal-candidate profile, written with its staff.",),
        (
            "We added a readiness check-in with each PSW before they join a new group and at the midpoint. "
            "Not every PSW is ready for every topic, and that is fine.",
        ),
        (
            "Adopt in grief and bereavement, keep adapting in family support, then spread to the other "
            "programs one at a time. We still need ongoing funding for PSW hours.",
        ),
    ),
}

#: Answers of the second cycle-2 counsellor, in the planted transcript with an unmapped speaker.
INTERRUPTED_ANSWERS: tuple[tuple[str, ...], ...] = (
    ("I hold the structure of the session and the risk. The PSW holds the hope, if that makes sense.",),
    ("Less than in February. I still watch how much the PSW shares in the bereavement group.",),
    ("Mostly from the bereavement topic itself. Suicide loss is close to home for a lot of people.",),
    ("People stay for the break now and talk to the PSW, then bring it back to the circle.",),
    ("A readiness talk before a PSW joins the bereavement group, every time.",),
)

#: Extra turns for the planted transcript with an unmapped speaker (Otter's "Speaker 2").
INTERRUPTION = (
    "Sorry, is this the room for the bereavement group? I can come back later.",
    "Thanks, I'll wait outside.",
)

#: Consensus-building session notes: (heading, paragraphs or list items) per cycle.
NOTES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "cycle-1": (
        (
            "Who was there",
            ("Three PSWs, three counsellors, two program managers and the evaluation facilitator.",),
        ),
        (
            "What we saw",
            (
                "Participants relate to the PSWs' stories and say the plain-language examples help.",
                "Role confusion came up in every interview. Participants also say they are unsure who to ask.",
                "There is no regular time to debrief. One PSW had a hard week after a session close to home.",
                "A participant handed a PSW a phone number. The team agreed this needs a clear, shared answer.",
                "Counsellors raised confidentiality and whether the PSW role might replace theirs.",
            ),
        ),
        (
            "What we agreed",
            (
                "Adapt the model for cycle 2.",
                "Add a 15-minute debrief after every session, paid and on the schedule.",
                "Write role descriptions for PSWs and counsellors in the group, with the PSWs.",
                "Leadership to restate at the all-staff meeting that the PSW role is complementary.",
            ),
        ),
    ),
    "cycle-2": (
        (
            "Who was there",
            ("Three PSWs, two counsellors, two program managers and the evaluation facilitator.",),
        ),
        (
            "What we saw",
            (
                "Felt-safe and peer-helped ratings rose in the grief group once debriefs started.",
                "Participants now say they know who does what. The role descriptions are used before sessions.",
                "The bereavement group took on the adapted model without trouble.",
                "The staff survey shows more staff find the model workable. Concerns about confidentiality "
                "and boundaries dropped.",
            ),
        ),
        (
            "What we agreed",
            (
                "Adopt the adapted model in the grief and bereavement groups.",
                "Spread to the family support group in cycle 3, after meeting that team about how their group runs.",
                "Hold a readiness conversation with each PSW before they join a new group.",
            ),
        ),
    ),
    "cycle-3": (
        (
            "Who was there",
            ("Three PSWs, three counsellors, two program managers, the family support lead and the facilitator.",),
        ),
        (
            "What we saw",
            (
                "Grief and bereavement groups stayed high on every item.",
                "The family group started lower on peer-helped. Parents wanted a PSW with family experience.",
                "After week four a PSW with lived experience as a family member joined, and ratings rose.",
                "Staff name workload as the main worry as the model spreads.",
            ),
        ),
        (
            "What we agreed",
            (
                "Adopt in grief, bereavement and family support, with a role description for each program.",
                "Match PSWs to programs by their experience and readiness, with checkpoints along the way.",
                "Spread to the next program one at a time, starting with its staff.",
                "Ask for ongoing funding for PSW hours in next year's budget.",
            ),
        ),
    ),
}
