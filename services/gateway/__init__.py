"""The HTTP/JSON gateway: the protos' `google.api.http` routes in front of the four services."""
