"""The web UI: server-rendered pages for the people who use Kimlik without a terminal.

Pages are Jinja2 templates rendered on the server, with a little plain JavaScript
(``static/kimlik.js``) for type-ahead, shortcuts and progress. Every asset ships in the
package: nothing is fetched from another host, so the UI works offline.

Pages sign in with the same cookie session as the management API and read through the
API's own endpoint functions where one exists, so a page shows exactly what the API
would answer the same person: the same permission, masking and audit rules, once.
"""
