"""The commands `make run` prints to try the running suite: grpcurl, curl and the CLIs."""

from __future__ import annotations

import secrets
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.availability.adapters.demo_venue import DEMO_TIMEZONE, demo_start_time


def examples(state_port: int, token: str, secret_from_env: bool, run_dir: Path) -> str:
    """The commands to paste: grpcurl, the token minting, and a grpc_requests one-liner."""
    target = f"localhost:{state_port}"
    service = "maitred.state.v1.BookingService"
    auth = f'-H "authorization: Bearer {token}"'
    start = demo_start_time(datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    request_id = f"demo-{secrets.token_hex(4)}"
    body = (
        f'{{"venue_id": "demo-bistro", "request_id": "{request_id}", '
        f'"booking": {{"party_size": 4, "start_time": "{start}"}}}}'
    )
    secret = "" if secret_from_env else f"MAITRED_JWT_SECRET=$(cat {run_dir}/jwt_secret) "
    return f"""
# Try it (grpcurl, server reflection is on):
grpcurl -plaintext {target} list
grpcurl -plaintext {target} describe {service}
grpcurl -plaintext {target} grpc.health.v1.Health/Check
grpcurl -plaintext {auth} -d '{body}' {target} {service}/CreateBooking
grpcurl -plaintext {auth} {target} {service}/GetTransitionMatrix

# Mint another token (ops, demo-bistro, 12 h):
{secret}{sys.executable} -m shared.cli mint-token --role ops --venue demo-bistro --ttl 43200

# grpcurl cannot be installed on these machines; grpc_requests speaks reflection the same way:
{sys.executable} -c "from grpc_requests import Client; print(Client('{target}').request(\
'{service}', 'GetTransitionMatrix', {{}}, metadata=[('authorization', 'Bearer {token}')]))"
"""


def availability_examples(port: int, token: str) -> str:
    """grpcurl lines for the availability service: capacity, slots, snapshot and its stream."""
    call = f'grpcurl -plaintext -H "authorization: Bearer {token}"'
    target = f"localhost:{port} maitred.availability.v1.AvailabilityService"
    start = demo_start_time(datetime.now(UTC))

    def rfc3339(moment: datetime) -> str:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    venue, at = '"venue_id": "demo-bistro"', rfc3339(start)
    dinner = (
        f'"window": {{"start_time": "{rfc3339(start.replace(hour=17, minute=0))}", '
        f'"end_time": "{rfc3339(start.replace(hour=23, minute=0))}"}}'
    )
    slots = f'"party_size": 6, "service_date": "{start.date()}", "preferred_start_time": "{at}"'
    return f"""
# Availability (which tables are free when):
{call} -d '{{{venue}, "start_time": "{at}", "party_size": 4}}' {target}/CheckCapacity
{call} -d '{{{venue}, {slots}}}' {target}/SearchSlots
{call} -d '{{{venue}, {dinner}}}' {target}/GetSnapshot
{call} -d '{{{venue}, {dinner}}}' {target}/WatchSnapshots
"""


def assigner_examples(port: int, token: str) -> str:
    """grpcurl lines for the assigner: a quote with the strategies' reasons, and a hold."""
    call = f'grpcurl -plaintext -H "authorization: Bearer {token}"'
    target = f"localhost:{port} maitred.assigner.v1.AssignerService"
    start = demo_start_time(datetime.now(UTC))
    span = (
        f'"window": {{"start_time": "{start.strftime("%Y-%m-%dT%H:%M:%SZ")}", '
        f'"end_time": "{(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")}"}}'
    )
    venue = '"venue_id": "demo-bistro"'
    return f"""
# Assigner (a created booking reaches CONFIRMED on its own; these show why and hold tables):
{call} -d '{{{venue}, "party_size": 4, {span}}}' {target}/QuoteTables
{call} -d '{{{venue}, "party_size": 2, {span}, "request_id": "try-hold-1"}}' {target}/PlaceHold
"""


def optimizer_examples(port: int, token: str) -> str:
    """grpcurl and CLI lines for the optimizer: a dry-run re-plan of the demo day, its plans."""
    call = f'grpcurl -plaintext -H "authorization: Bearer {token}"'
    target = f"localhost:{port} maitred.optimizer.v1.OptimizerService"
    day = demo_start_time(datetime.now(UTC)).date().isoformat()
    venue = '"venue_id": "demo-bistro"'
    return f"""
# Optimizer (re-plan the demo day without applying it; ApplyPlan applies a plan by its id):
{call} -d '{{{venue}, "service_date": "{day}", "options": {{"dry_run": true}}}}' \\
  {target}/OptimizeVenueDay
{call} -d '{{{venue}}}' {target}/ListPlans
MAITRED_TOKEN={token} .venv/bin/python -m services.optimizer.cli \\
  --address localhost:{port} --venue demo-bistro --date {day} --dry-run
"""


def http_examples(port: int, token: str) -> str:
    """curl lines for the HTTP/JSON gateway: the same API as JSON, and the snapshot stream."""
    auth = f'-H "authorization: Bearer {token}"'
    base = f"http://localhost:{port}/v1/venues/demo-bistro"
    start = demo_start_time(datetime.now(UTC))
    at = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = (
        f'{{"requestId": "http-{secrets.token_hex(4)}", '
        f'"booking": {{"partySize": 2, "startTime": "{at}"}}}}'
    )
    return f"""
# HTTP/JSON gateway (the same RPCs, routed by the protos' google.api.http annotations):
curl -s {auth} -d '{body}' {base}/bookings
curl -s {auth} '{base}/bookings?pageSize=5'
curl -s {auth} '{base}:checkCapacity?startTime={at}&partySize=4'
curl -sN {auth} '{base}/snapshot:watch?window.startTime={at}&window.endTime={end}'
curl -s http://localhost:{port}/readyz
# the API's OpenAPI document, and a page to browse it:
curl -s http://localhost:{port}/openapi.json
# http://localhost:{port}/docs/
"""


def console_line(port: int, token: str) -> str:
    """The ops console's address, signed in with a development token, on the demo day."""
    day = demo_start_time(datetime.now(UTC)).astimezone(DEMO_TIMEZONE).date().isoformat()
    return f"""
# The ops console in a browser (signed in by the token after '#'; its page also offers a
# development login, since `make run` sets MAITRED_GATEWAY_DEV_LOGIN):
http://localhost:{port}/console/#token={token}&venue=demo-bistro&day={day}
"""
