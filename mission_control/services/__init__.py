"""Services: the one :class:`~mission_control.services.project.Project` object and the flows the faces call.

The desktop app (``ui/``) and the command line (``cli/``) both go through this layer, so a rule (what a
sign-off needs, which files a component owns, what the dashboard shows) is decided once, here or below.
"""
