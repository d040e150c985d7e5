"""The Kubernetes overlays, rendered by kubectl kustomize: valid, locked down, scaled as said."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from services.gateway.settings import GatewaySettings

OVERLAYS = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "overlays"
GRPC_SERVICES = ("maitred-state", "maitred-assigner", "maitred-availability", "maitred-optimizer")
DEPLOYMENTS = (*GRPC_SERVICES, "maitred-gateway")
KUBERNETES = "1.32.0"


@functools.cache
def rendered(overlay: str) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is needed: apt-get install kubernetes-client (.ci/run does)"
    out = subprocess.run(
        [kubectl, "kustomize", str(OVERLAYS / overlay)], capture_output=True, check=True, text=True
    ).stdout
    return [doc for doc in yaml.safe_load_all(out) if doc]


def of_kind(overlay: str, kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in rendered(overlay) if o["kind"] == kind}


def pod_specs(overlay: str) -> dict[str, dict[str, Any]]:
    workloads = {**of_kind(overlay, "Deployment"), **of_kind(overlay, "Job")}
    return {name: w["spec"]["template"]["spec"] for name, w in workloads.items()}


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_object_of_an_overlay_is_valid_against_the_kubernetes_schemas(overlay):
    for obj in rendered(overlay):
        kubernetes_validate.validate(obj, KUBERNETES, strict=True)  # raises when invalid


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_pod_runs_as_non_root_on_a_read_only_root_without_escalation(overlay):
    specs = pod_specs(overlay)
    assert set(DEPLOYMENTS) | {"maitred-migrate"} <= set(specs)
    for name, spec in specs.items():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        scratch = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts["/tmp"] in scratch, name  # the one writable path


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_the_grpc_services_are_headless_and_callers_balance_over_their_pods(overlay):
    services = of_kind(overlay, "Service")
    for name in GRPC_SERVICES:
        assert services[name]["spec"]["clusterIP"] == "None", name
    assert services["maitred-gateway"]["spec"].get("clusterIP") != "None"
    (config,) = of_kind(overlay, "ConfigMap").values()
    assert config["data"]["MAITRED_GRPC_LOAD_BALANCING"] == "round_robin"


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_each_overlay_sets_cors_origins_the_gateway_accepts(overlay):
    (config,) = of_kind(overlay, "ConfigMap").values()
    origins = config["data"]["MAITRED_GATEWAY_CORS_ORIGINS"]
    assert origins
    assert "*" not in origins
    settings = GatewaySettings(gateway_cors_origins=origins)  # type: ignore[arg-type]
    assert settings.gateway_cors_origins


def test_dev_runs_one_replica_of_each_service():
    deployments = of_kind("dev", "Deployment")
    assert {name: d["spec"]["replicas"] for name, d in deployments.items()} == dict.fromkeys(
        DEPLOYMENTS, 1
    )
    assert of_kind("dev", "PodDisruptionBudget") == {}


def test_prod_runs_two_replicas_spread_with_a_budget_and_a_cpu_autoscaler_each():
    deployments = of_kind("prod", "Deployment")
    budgets, scalers = (
        of_kind("prod", "PodDisruptionBudget"),
        of_kind("prod", "HorizontalPodAutoscaler"),
    )
    for name in DEPLOYMENTS:
        spec = deployments[name]["spec"]
        labels = spec["template"]["metadata"]["labels"]
        assert spec["replicas"] >= 2, name
        spreads = spec["template"]["spec"]["topologySpreadConstraints"]
        assert {s["topologyKey"] for s in spreads} >= {"kubernetes.io/hostname"}, name
        assert all(s["labelSelector"]["matchLabels"].items() <= labels.items() for s in spreads)
        budget = budgets[name]["spec"]
        assert budget["minAvailable"] == 1
        assert budget["selector"]["matchLabels"].items() <= labels.items()
        scaler = scalers[name]["spec"]
        assert scaler["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert scaler["minReplicas"] >= 2
        assert [m["resource"]["name"] for m in scaler["metrics"]] == ["cpu"]


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_only_the_gateway_is_reachable_from_outside_and_services_only_from_the_suite(overlay):
    policies = of_kind(overlay, "NetworkPolicy").values()
    labels = {
        name: d["spec"]["template"]["metadata"]["labels"]
        for name, d in of_kind(overlay, "Deployment").items()
    }

    def selects(policy: dict[str, Any], name: str) -> bool:
        selector = policy["spec"]["podSelector"]
        pod = labels[name]
        if not selector.get("matchLabels", {}).items() <= pod.items():
            return False
        return all(
            pod.get(e["key"]) in e["values"] for e in selector.get("matchExpressions", [])
        )  # only `In` is used

    for name in DEPLOYMENTS:
        mine = [p for p in policies if selects(p, name)]
        assert any(not p["spec"].get("ingress") for p in mine), f"{name}: no default deny"
        sources = [
            rule.get("from")
            for p in mine
            for rule in p["spec"].get("ingress", [])
            if any(port["port"] != 9090 for port in rule.get("ports", []))
        ]
        if name == "maitred-gateway":
            assert sources == [None]  # anyone, on its HTTP port
        else:
            assert sources == [
                [{"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "maitred"}}}]
            ]
