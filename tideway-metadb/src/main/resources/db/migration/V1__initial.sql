-- Tideway MetaDB, version 1.
-- One script for every MetaDB vendor (H2, MariaDB/MySQL, PostgreSQL). The few types that differ
-- are Flyway placeholders set by MetaDb: ${id_type} (an auto-generated BIGINT), ${text_type}
-- (long text) and ${table_options} (MySQL family: InnoDB, utf8mb4, case-sensitive comparison).
-- Times are epoch milliseconds (BIGINT): no time zone or 2038 surprises on any vendor.

CREATE TABLE metadb_info (
  info_key VARCHAR(64) NOT NULL,
  info_value VARCHAR(255) NOT NULL,
  PRIMARY KEY (info_key)
)${table_options};

INSERT INTO metadb_info (info_key, info_value) VALUES ('tideway_version', '');
INSERT INTO metadb_info (info_key, info_value) VALUES ('migrated_at', '');

CREATE TABLE data_source (
  id ${id_type},
  source_type VARCHAR(32) NOT NULL,
  host VARCHAR(255) NOT NULL,
  port INT NOT NULL,
  user_name VARCHAR(255),
  password_enc ${text_type} NOT NULL,
  database_name VARCHAR(255),
  properties_json ${text_type} NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (id)
)${table_options};

CREATE TABLE project (
  id ${id_type},
  name VARCHAR(128) NOT NULL,
  source_id BIGINT NOT NULL,
  destination_id BIGINT NOT NULL,
  config_yaml ${text_type},
  state VARCHAR(32) NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT uq_project_name UNIQUE (name),
  CONSTRAINT fk_project_source FOREIGN KEY (source_id) REFERENCES data_source (id),
  CONSTRAINT fk_project_destination FOREIGN KEY (destination_id) REFERENCES data_source (id)
)${table_options};

CREATE TABLE step (
  project_id BIGINT NOT NULL,
  step_name VARCHAR(32) NOT NULL,
  state VARCHAR(32) NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  error_message ${text_type},
  progress_json ${text_type},
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, step_name),
  CONSTRAINT fk_step_project FOREIGN KEY (project_id) REFERENCES project (id) ON DELETE CASCADE
)${table_options};

CREATE TABLE table_mapping (
  project_id BIGINT NOT NULL,
  source_schema VARCHAR(255) NOT NULL,
  source_table VARCHAR(255) NOT NULL,
  destination_schema VARCHAR(255) NOT NULL,
  destination_table VARCHAR(255) NOT NULL,
  state VARCHAR(32) NOT NULL,
  estimated_rows BIGINT NOT NULL,
  rows_done BIGINT NOT NULL,
  bytes_done BIGINT NOT NULL,
  chunked BOOLEAN NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, source_schema, source_table),
  CONSTRAINT fk_table_mapping_project FOREIGN KEY (project_id) REFERENCES project (id) ON DELETE CASCADE
)${table_options};

CREATE TABLE chunk (
  project_id BIGINT NOT NULL,
  source_schema VARCHAR(255) NOT NULL,
  source_table VARCHAR(255) NOT NULL,
  chunk_no INT NOT NULL,
  key_range ${text_type} NOT NULL,
  state VARCHAR(16) NOT NULL,
  row_count BIGINT NOT NULL,
  byte_count BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (project_id, source_schema, source_table, chunk_no),
  CONSTRAINT fk_chunk_table FOREIGN KEY (project_id, source_schema, source_table)
    REFERENCES table_mapping (project_id, source_schema, source_table) ON DELETE CASCADE
)${table_options};

CREATE TABLE event (
  id ${id_type},
  project_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  event_level VARCHAR(16) NOT NULL,
  step_name VARCHAR(32),
  message ${text_type} NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT fk_event_project FOREIGN KEY (project_id) REFERENCES project (id) ON DELETE CASCADE
)${table_options};

CREATE INDEX ix_event_project ON event (project_id, id);
