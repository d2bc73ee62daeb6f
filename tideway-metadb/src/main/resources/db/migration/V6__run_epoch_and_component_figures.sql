-- Tideway MetaDB, version 6: the run epoch as a counter of the project; a component's process and figures.
-- project.run_epoch: the epoch of the latest run of the project; taking the run lease adds one in the
-- same transaction (the first run of a project starts it at the MetaDB's clock in milliseconds, above
-- the timestamps that were epochs before this version). It only grows: a release deletes the lease
-- row, not the counter, so a later run on a node whose clock is behind still gets a higher epoch.
-- project_run.epoch: the epoch of the run the lease row holds.
-- component.owner: the process (host:pid) that last started the component (a Checker RUNNING in
-- another live process refuses a second verification, naming it).
-- component.figures_json: live figures the component records itself (the Checker: rows compared,
-- rate), beside its position.

ALTER TABLE project ADD run_epoch BIGINT DEFAULT 0 NOT NULL;

ALTER TABLE project_run ADD epoch BIGINT;

UPDATE project_run SET epoch = started_at;

UPDATE project SET run_epoch = (SELECT r.started_at FROM project_run r WHERE r.project_id = project.id)
  WHERE id IN (SELECT project_id FROM project_run);

ALTER TABLE component ADD owner VARCHAR(255);

ALTER TABLE component ADD figures_json ${text_type};
