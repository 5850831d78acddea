"""The shared foundation every app stands on: Thai dates and fiscal years, money and bahttext, form fields, the one
way to send a task (enqueue), the audit log, the API's error answers, database constraints and the personal-data
registry. It imports no app of the project (import-linter checks it in `make test`)."""
