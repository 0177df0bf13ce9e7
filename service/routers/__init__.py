"""One router per area of the service; ``rightsgraph.service.app`` mounts them all."""
