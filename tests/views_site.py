"""A small site on disk exercising every derived view, for the build-level tests."""

from __future__ import annotations

VIEWS_SITE = {
    "trombino.yaml": """
        title: Test & Co
        base_url: https://people.example/dir/
        page_size: 2
        timezone: Europe/Paris
        tag_aliases: {k8s: kubernetes}
        publish: {hidden_fields: [chat]}
    """,
    "content/teams/eng.md": "---\nname: Engineering\n---\n",
    "content/teams/data.md": "---\nname: Data\nparent: eng\n---\n",
    "content/people/ana-lima.md": """
        ---
        name: Ana Lima
        title: Staff Engineer, Data
        team: data
        email: ana@example.com
        chat: "@ana"
        location: Nantes; office 3
        skills: [Python, K8s]
        interests: [Rust]
        availability: {status: busy, until: 2026-12-15}
        commitments:
          - {what: Billing migration, share: 60, until: 2026-12-31}
          - {what: On-call, share: 20}
        updated: 2026-03-01
        ---
        Ana builds things.
    """,
    "content/people/bruno-diaz.md": """
        ---
        name: Bruno Díaz
        team: eng
        manager: ana-lima
        email: bruno@example.com
        private: [email]
        ---
    """,
    "content/posts/2026/03/one.md": "---\nauthor: ana-lima\ndate: 2026-03-02T09:00:00+01:00\n---\nShipping #python with @bruno-diaz.\n",
    "content/posts/2026/03/two.md": "---\nauthor: ana-lima\ndate: 2026-03-03T09:00:00+01:00\nkind: decision\ntitle: We use Postgres 17\n---\nDecided for @bruno-diaz: #postgresql <everywhere> & more.\n",
    "content/posts/2026/03/three.md": "---\nauthor: bruno-diaz\ndate: 2026-03-10T09:00:00+01:00\nkind: question\n---\nWho knows #k8s autoscaling?\n",
    "content/posts/2026/03/four.md": "---\nauthor: ana-lima\ndate: 2026-03-11T09:00:00+01:00\nin_reply_to: 2026/03/three\n---\nI do: #kubernetes HPA.\n",
    "content/posts/2026/03/five.md": "---\nauthor: bruno-diaz\ndate: 2026-03-12T09:00:00+01:00\nteam: data\n---\nA note for the data team about #rust.\n",
}
