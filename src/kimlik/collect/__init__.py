"""Collection: the Segment HTTP tracking protocol, stored once per message, then stitched."""
