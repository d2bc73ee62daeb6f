-- Tideway MetaDB, version 4: the verification report.
-- verify_report: one row per verification of a project (`tideway verify` or a run's verify step):
-- when, whether the rows were equal, its one-line summary, and the report without its rows
-- (report_json: the figures of every table, warnings, a repair's figures; the same document as
-- report.json, which is an export of it). No secrets: the ends appear as "type at host:port/database".
-- verify_difference: the differing rows of a report, per table in the order found, at most as many
-- per table as report.json lists: kind (MISSING, EXTRA, DIFFERENT) and the row's entry of report.json
-- (its key, and the values that differ or the row itself; long values cut as there).
-- The latest reports of each project are kept; older ones are deleted with their rows.

CREATE TABLE verify_report (
  id ${id_type},
  project_id BIGINT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT NOT NULL,
  equal_rows BOOLEAN NOT NULL,
  unconfirmed BOOLEAN NOT NULL,
  summary ${text_type} NOT NULL,
  report_json ${text_type} NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT fk_verify_report_project FOREIGN KEY (project_id) REFERENCES project (id) ON DELETE CASCADE
)${table_options};

CREATE INDEX ix_verify_report_project ON verify_report (project_id, id);

CREATE TABLE verify_difference (
  report_id BIGINT NOT NULL,
  table_no INT NOT NULL,
  row_no INT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  row_json ${text_type} NOT NULL,
  PRIMARY KEY (report_id, table_no, row_no),
  CONSTRAINT fk_verify_difference_report FOREIGN KEY (report_id) REFERENCES verify_report (id) ON DELETE CASCADE
)${table_options};
