"""Micro contact elements grown on the contact areas of a chip or wafer (DOMAIN.md 1B).

Pins plated into a thick resist mould exposed at an angle: each mould opening is moved by
Snell's law so that the leaning column's foot lands on its contact area; leaf springs patterned
in a stress-graded film and released to curl up; or, the alternative, a photo-etched spring
sheet whose springs hang in it by breakaway tabs, with a top and a mirrored bottom plate.
Every element is checked against the length rule at its distance from the neutral point.

Modules: rules (layer roles, the technology's numbers), areas (contact-area sources), design
(the design file), exposure (Snell, the [exposure] section), lean (directions, offsets, the
length rule per contact), plan (every element's place and length), cells (contact, pin and
spring cells), grown (assembly of pins and springs), sheet (the spring sheet and its plates),
checks (process checks), manifest (manifest keys, contact map), family (the object the build
driver calls).
"""

from .family import Contacts, ContactsReport

FAMILY = Contacts()

__all__ = ["FAMILY", "Contacts", "ContactsReport"]
