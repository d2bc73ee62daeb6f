-- Tideway MetaDB, version 3: forward switchover and reverse incremental.
-- switchover_step: the numbered sub-steps of `tideway switchover` (1 precheck .. 8 report): state,
-- times, what each found or recorded (positions, figures; JSON) and its error, so a rerun resumes
-- at the first unfinished one and `tideway status` shows them.
-- apply_marker: the marker table a Connector writes in each of its transactions (loop prevention),
-- once it found the table and writes it; a switchover waits for the forward Connector to do so
-- before it fixes the reverse capture's start.

CREATE TABLE switchover_step (
  project_id BIGINT NOT NULL,
  step_no INT NOT NULL,
  step_name VARCHAR(64) NOT NULL,
  state VARCHAR(32) NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  detail_json ${text_type},
  error_message ${text_type},
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, step_no),
  CONSTRAINT fk_switchover_step_project FOREIGN KEY (project_id) REFERENCES project (id) ON DELETE CASCADE
)${table_options};

CREATE TABLE apply_marker (
  project_id BIGINT NOT NULL,
  capture_name VARCHAR(64) NOT NULL,
  marker_table VARCHAR(600) NOT NULL,
  in_use_since BIGINT NOT NULL,
  PRIMARY KEY (project_id, capture_name),
  CONSTRAINT fk_apply_marker_project FOREIGN KEY (project_id) REFERENCES project (id) ON DELETE CASCADE
)${table_options};
