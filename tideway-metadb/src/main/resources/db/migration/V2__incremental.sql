-- Tideway MetaDB, version 2: what the incremental step keeps.
-- capture_offset / capture_history: a change capture's log offsets and schema history, so a
-- restart resumes capture exactly where it stopped (never kept in a temporary file).
-- apply_checkpoint: how far the apply side has committed on the destination.
-- project_run: the one process that runs a project now (a second `tideway run` is refused), its
-- heartbeat, and a command another process leaves for it (PAUSE, RESUME, STOP).

CREATE TABLE capture_offset (
  project_id BIGINT NOT NULL,
  capture_name VARCHAR(64) NOT NULL,
  key_hash CHAR(64) NOT NULL,
  offset_key ${text_type} NOT NULL,
  offset_value ${text_type},
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, capture_name, key_hash),
  CONSTRAINT fk_capture_offset_project FOREIGN KEY (project_id) REFERENCES project (id) ON DELETE CASCADE
)${table_options};

CREATE TABLE capture_history (
  project_id BIGINT NOT NULL,
  capture_name VARCHAR(64) NOT NULL,
  seq BIGINT NOT NULL,
  record ${text_type} NOT NULL,
  PRIMARY KEY (project_id, capture_name, seq),
  CONSTRAINT fk_capture_history_project FOREIGN KEY (project_id) REFERENCES project (id) ON DELETE CASCADE
)${table_options};

CREATE TABLE apply_checkpoint (
  project_id BIGINT NOT NULL,
  capture_name VARCHAR(64) NOT NULL,
  spool_segment BIGINT NOT NULL,
  spool_offset BIGINT NOT NULL,
  source_position ${text_type},
  source_millis BIGINT NOT NULL,
  events_applied BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, capture_name),
  CONSTRAINT fk_apply_checkpoint_project FOREIGN KEY (project_id) REFERENCES project (id) ON DELETE CASCADE
)${table_options};

CREATE TABLE project_run (
  project_id BIGINT NOT NULL,
  owner VARCHAR(255) NOT NULL,
  started_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  command VARCHAR(32),
  PRIMARY KEY (project_id),
  CONSTRAINT fk_project_run_project FOREIGN KEY (project_id) REFERENCES project (id) ON DELETE CASCADE
)${table_options};
