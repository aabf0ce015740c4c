"""The Reflex layer: states with thin handlers, components and pages. Logic lives elsewhere."""
