"""Every RPC of the suite, read from the generated descriptors: its service, path and types."""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf import message_factory
from google.protobuf.descriptor import FileDescriptor
from google.protobuf.message import Message

from shared.stubs.maitred.assigner.v1 import assigner_service_pb2
from shared.stubs.maitred.availability.v1 import availability_service_pb2, floor_plan_service_pb2
from shared.stubs.maitred.optimizer.v1 import optimizer_service_pb2
from shared.stubs.maitred.state.v1 import state_service_pb2

FILES: tuple[FileDescriptor, ...] = (
    state_service_pb2.DESCRIPTOR,
    availability_service_pb2.DESCRIPTOR,
    floor_plan_service_pb2.DESCRIPTOR,
    assigner_service_pb2.DESCRIPTOR,
    optimizer_service_pb2.DESCRIPTOR,
)


@dataclass(frozen=True)
class Rpc:
    """One method: which of the suite's services serves it, and how it is called."""

    service: str  # state, availability, assigner, optimizer
    path: str  # /maitred.state.v1.BookingService/CreateBooking
    request_type: type[Message]
    response_type: type[Message]
    server_streaming: bool

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[1]


def every_rpc() -> list[Rpc]:
    """All methods of all services, in a stable order."""
    found = []
    for file in FILES:
        service_name = file.package.split(".")[1]
        for service in file.services_by_name.values():
            for method in service.methods:
                found.append(
                    Rpc(
                        service=service_name,
                        path=f"/{service.full_name}/{method.name}",
                        request_type=message_factory.GetMessageClass(method.input_type),
                        response_type=message_factory.GetMessageClass(method.output_type),
                        server_streaming=method.server_streaming,
                    )
                )
    return found
