"""Scheduled deployments, served by Prefect's own ``serve`` (``make serve``).

Entrypoints are module paths (``flows.ingest_inbox.ingest_inbox``): a file entrypoint would put
``flows/`` itself on ``sys.path`` and let a module there shadow one of our packages.
"""

from __future__ import annotations

import os

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.types.entrypoint import EntrypointType

from flows.ingest_inbox import ingest_inbox

#: Default: ingest every morning at 06:00 (server time). Override with EVALCYCLE_INGEST_CRON.
DEFAULT_INGEST_CRON = "0 6 * * *"


def deployments() -> list[RunnerDeployment]:
    cron = os.environ.get("EVALCYCLE_INGEST_CRON", DEFAULT_INGEST_CRON)
    deployment = ingest_inbox.to_deployment(
        name="scheduled-ingest",
        cron=cron,
        entrypoint_type=EntrypointType.MODULE_PATH,
        description="Ingest the inbox on a schedule: land, screen, validate, store or quarantine.",
    )
    # to_deployment is sync-compatible: called outside an event loop it returns the deployment.
    assert isinstance(deployment, RunnerDeployment)
    return [deployment]


def serve_deployments() -> None:
    serve(*deployments())
