-- The decision log: committees, meetings, cases, decision points, owners and follow-up links.
-- Ids are UUIDs kept as text so that one diesel schema serves SQLite and PostgreSQL alike.
-- Timestamps are UTC. Enum columns hold the lower-case names used by the API.
-- This is the PostgreSQL set; migrations/sqlite/ holds the same schema for SQLite.

CREATE TABLE committees (
    id TEXT PRIMARY KEY NOT NULL,
    -- Byte order, as SQLite sorts, so that both backends list committees alike.
    code TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX committees_code_idx ON committees (code);

CREATE TABLE meetings (
    id TEXT PRIMARY KEY NOT NULL,
    committee_id TEXT NOT NULL REFERENCES committees (id),
    meeting_date DATE NOT NULL,
    start_time TIME,
    end_time TIME,
    location TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('ordinary', 'extraordinary')),
    chair TEXT,
    minute_taker TEXT,
    status TEXT NOT NULL CHECK (status IN ('planned', 'held')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
-- A committee meets once on a date; documents name meetings by their date ("ASU-møte 19.06.24").
CREATE UNIQUE INDEX meetings_committee_date_idx ON meetings (committee_id, meeting_date);
CREATE INDEX meetings_date_idx ON meetings (meeting_date);

CREATE TABLE cases (
    id TEXT PRIMARY KEY NOT NULL,
    committee_id TEXT NOT NULL REFERENCES committees (id),
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    case_year INTEGER NOT NULL,
    case_serial INTEGER NOT NULL,
    title TEXT NOT NULL,
    -- JSON array of names (saksansvarlig), as written in the documents.
    responsible TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('planned', 'decided', 'postponed', 'withdrawn')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX cases_number_idx ON cases (committee_id, case_year, case_serial);
CREATE INDEX cases_meeting_idx ON cases (meeting_id);

CREATE TABLE owners (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('body', 'party', 'person')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- Every spelling of an owner, folded (lower case, spacing collapsed). The owner's own name is
-- one of them, so that no two owners can share a name or an alias.
CREATE TABLE owner_aliases (
    alias_key TEXT PRIMARY KEY NOT NULL,
    owner_id TEXT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    alias TEXT NOT NULL
);
CREATE INDEX owner_aliases_owner_idx ON owner_aliases (owner_id);

CREATE TABLE decisions (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    position TEXT NOT NULL,
    position_sort INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('orientation', 'approval', 'assignment', 'recommendation', 'postponement', 'scheduling', 'other')),
    deadline DATE,
    status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    status_note TEXT,
    -- Folded text, case title and owner names, kept by the store for the `q` filter.
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX decisions_position_idx ON decisions (case_id, position);
CREATE INDEX decisions_status_deadline_idx ON decisions (status, deadline);
CREATE INDEX decisions_deadline_idx ON decisions (deadline);
CREATE INDEX decisions_updated_idx ON decisions (updated_at, id);

CREATE TABLE decision_owners (
    decision_id TEXT NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    owner_id TEXT NOT NULL REFERENCES owners (id),
    responsible BOOLEAN NOT NULL DEFAULT FALSE,
    ordinal INTEGER NOT NULL,
    PRIMARY KEY (decision_id, owner_id)
);
CREATE INDEX decision_owners_owner_idx ON decision_owners (owner_id);

-- A link from a case to another case, which may be known only by its number (53/22) until it
-- is recorded; target_case_id is filled in then.
CREATE TABLE case_links (
    id TEXT PRIMARY KEY NOT NULL,
    source_case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('follows_up', 'postponed_to', 'refers_to')),
    target_committee_id TEXT NOT NULL REFERENCES committees (id),
    target_year INTEGER NOT NULL,
    target_serial INTEGER NOT NULL,
    target_position TEXT,
    target_case_id TEXT REFERENCES cases (id) ON DELETE SET NULL,
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX case_links_unique_idx
    ON case_links (source_case_id, kind, target_committee_id, target_year, target_serial, COALESCE(target_position, ''));
CREATE INDEX case_links_target_number_idx ON case_links (target_committee_id, target_year, target_serial);
CREATE INDEX case_links_target_case_idx ON case_links (target_case_id);

-- The owners named in ASU's documents, with the spellings seen there (DOMAIN.md).
INSERT INTO owners (id, name, kind, created_at, updated_at) VALUES
    ('ecbea15c-a2e1-5c8f-bda3-1d3366296c44', 'ASU', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('7293f72d-55c3-574c-a0b1-95f94e9d4f11', 'AU', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('78cd30cd-628d-5f08-91a1-1ddd6cbc6baf', 'Sekretariatet', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('f4c6e7b1-5970-5507-aaa7-a502b5f61916', 'Forhandlingsutvalget', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('81307fae-522f-577b-93ad-6348d5b44938', 'Analysegruppen', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('2996b3fe-946a-581f-af04-1a41df78aea4', 'Kompetansegruppen', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('0c95fb73-6668-531b-a878-d1f852390665', 'Forbedringsgruppen', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('4a31e10d-6573-50ed-8131-da79497857ac', 'Prosjektgruppen', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('01f44d54-6c01-5e2a-b703-fe41a9afcf2f', 'Fagråd 1', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('bd5f7270-1f78-5fe6-8379-152dc1456a66', 'Fagråd 2', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('72073ca4-a997-518e-8364-35c08cabda1c', 'Fagråd 3', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('60f15141-b037-524e-af6c-1ed1144e9162', 'Fagråd 4', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('5f658573-9d5f-575c-8512-ed498892cc99', 'Fagråd 5', 'body', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('a74fc49e-bec6-508a-82ae-b5bf170e8359', 'Kommunene', 'party', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('c5ef2ca7-7149-5a33-a8ea-0be30e9e312c', 'St. Olavs hospital', 'party', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC'));

INSERT INTO owner_aliases (alias_key, owner_id, alias) VALUES
    ('asu', 'ecbea15c-a2e1-5c8f-bda3-1d3366296c44', 'ASU'),
    ('administrativt samarbeidsutvalg', 'ecbea15c-a2e1-5c8f-bda3-1d3366296c44', 'Administrativt samarbeidsutvalg'),
    ('au', '7293f72d-55c3-574c-a0b1-95f94e9d4f11', 'AU'),
    ('arbeidsutvalget', '7293f72d-55c3-574c-a0b1-95f94e9d4f11', 'Arbeidsutvalget'),
    ('arbeidsutvalg', '7293f72d-55c3-574c-a0b1-95f94e9d4f11', 'Arbeidsutvalg'),
    ('sekretariatet', '78cd30cd-628d-5f08-91a1-1ddd6cbc6baf', 'Sekretariatet'),
    ('sekretariat', '78cd30cd-628d-5f08-91a1-1ddd6cbc6baf', 'Sekretariat'),
    ('sekretariatet for helsefellesskapet', '78cd30cd-628d-5f08-91a1-1ddd6cbc6baf', 'Sekretariatet for helsefellesskapet'),
    ('forhandlingsutvalget', 'f4c6e7b1-5970-5507-aaa7-a502b5f61916', 'Forhandlingsutvalget'),
    ('forhandlingsutvalg', 'f4c6e7b1-5970-5507-aaa7-a502b5f61916', 'Forhandlingsutvalg'),
    ('analysegruppen', '81307fae-522f-577b-93ad-6348d5b44938', 'Analysegruppen'),
    ('analysegruppa', '81307fae-522f-577b-93ad-6348d5b44938', 'Analysegruppa'),
    ('analysegruppe', '81307fae-522f-577b-93ad-6348d5b44938', 'Analysegruppe'),
    ('kompetansegruppen', '2996b3fe-946a-581f-af04-1a41df78aea4', 'Kompetansegruppen'),
    ('kompetansegruppa', '2996b3fe-946a-581f-af04-1a41df78aea4', 'Kompetansegruppa'),
    ('kompetansegruppe', '2996b3fe-946a-581f-af04-1a41df78aea4', 'Kompetansegruppe'),
    ('forbedringsgruppen', '0c95fb73-6668-531b-a878-d1f852390665', 'Forbedringsgruppen'),
    ('forbedringsgruppa', '0c95fb73-6668-531b-a878-d1f852390665', 'Forbedringsgruppa'),
    ('forbedringsgruppe', '0c95fb73-6668-531b-a878-d1f852390665', 'Forbedringsgruppe'),
    ('prosjektgruppen', '4a31e10d-6573-50ed-8131-da79497857ac', 'Prosjektgruppen'),
    ('prosjektgruppa', '4a31e10d-6573-50ed-8131-da79497857ac', 'Prosjektgruppa'),
    ('prosjektgruppe', '4a31e10d-6573-50ed-8131-da79497857ac', 'Prosjektgruppe'),
    ('fagråd 1', '01f44d54-6c01-5e2a-b703-fe41a9afcf2f', 'Fagråd 1'),
    ('fagråd for pasientsamarbeid', '01f44d54-6c01-5e2a-b703-fe41a9afcf2f', 'Fagråd for pasientsamarbeid'),
    ('fagråd 1 - pasientsamarbeid', '01f44d54-6c01-5e2a-b703-fe41a9afcf2f', 'Fagråd 1 - pasientsamarbeid'),
    ('fagråd 2', 'bd5f7270-1f78-5fe6-8379-152dc1456a66', 'Fagråd 2'),
    ('fagråd for legesamarbeid', 'bd5f7270-1f78-5fe6-8379-152dc1456a66', 'Fagråd for legesamarbeid'),
    ('fagråd 3', '72073ca4-a997-518e-8364-35c08cabda1c', 'Fagråd 3'),
    ('fagråd forebygging, tidlig innsats, helsefremming, læring og mestring', '72073ca4-a997-518e-8364-35c08cabda1c', 'Fagråd forebygging, tidlig innsats, helsefremming, læring og mestring'),
    ('fagråd 4', '60f15141-b037-524e-af6c-1ed1144e9162', 'Fagråd 4'),
    ('fagråd for helseberedskap og akuttmedisinsk kjede', '60f15141-b037-524e-af6c-1ed1144e9162', 'Fagråd for helseberedskap og akuttmedisinsk kjede'),
    ('fagråd 5', '5f658573-9d5f-575c-8512-ed498892cc99', 'Fagråd 5'),
    ('fagråd for digital samhandling', '5f658573-9d5f-575c-8512-ed498892cc99', 'Fagråd for digital samhandling'),
    ('kommunene', 'a74fc49e-bec6-508a-82ae-b5bf170e8359', 'Kommunene'),
    ('kommunen', 'a74fc49e-bec6-508a-82ae-b5bf170e8359', 'Kommunen'),
    ('alle kommunene', 'a74fc49e-bec6-508a-82ae-b5bf170e8359', 'Alle kommunene'),
    ('de 22 kommunene', 'a74fc49e-bec6-508a-82ae-b5bf170e8359', 'De 22 kommunene'),
    ('st. olavs hospital', 'c5ef2ca7-7149-5a33-a8ea-0be30e9e312c', 'St. Olavs hospital'),
    ('st. olavs hospital hf', 'c5ef2ca7-7149-5a33-a8ea-0be30e9e312c', 'St. Olavs hospital HF'),
    ('st. olav', 'c5ef2ca7-7149-5a33-a8ea-0be30e9e312c', 'St. Olav'),
    ('st olavs hospital', 'c5ef2ca7-7149-5a33-a8ea-0be30e9e312c', 'St Olavs hospital'),
    ('sykehuset', 'c5ef2ca7-7149-5a33-a8ea-0be30e9e312c', 'Sykehuset');
