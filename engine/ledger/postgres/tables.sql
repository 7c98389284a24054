-- The postgres ledger's tables (ledgerSql.ts runs this in the ledger's schema, after the header of
-- constant functions made from the TypeScript tables: result_ok(), transfer_state_pending(), ...).
create table ledger (
  format text not null,
  accounts_max bigint not null,
  -- Four limits a tier, tier t's at 4t+1..4t+4: balance cap, per payment, per day, per year (0 = none).
  limits bigint[] not null,
  utc_offset integer not null,
  pending_max bigint not null,
  pending_count bigint not null default 0,
  pending_fen bigint not null default 0
);
create table accounts (
  id integer primary key,
  tier smallint not null,
  flags smallint not null,
  balance bigint not null default 0,
  pending_debit bigint not null default 0,
  pending_credit bigint not null default 0,
  -- Limit counters: spent on local day spent_day_on and in year spent_year_in.
  spent_day bigint not null default 0,
  spent_day_on integer,
  spent_year bigint not null default 0,
  spent_year_in smallint,
  -- Only the issuer may go below zero; reservations never do. The database itself holds to this.
  constraint no_overdraft check (balance >= 0 or flags & account_flag_issuer() <> 0),
  constraint reservations_not_negative check (pending_debit >= 0 and pending_credit >= 0)
) with (fillfactor = 70);
create table transfers (
  id bigint primary key,
  debit bigint not null,
  credit bigint not null,
  amount bigint not null,
  kind smallint not null,
  flags smallint not null,
  pending_id bigint not null,
  timeout bigint not null,
  minute bigint not null,
  -- A transfer_state_*(): applied (plain, post or void), pending, posted, voided or expired.
  state smallint not null,
  -- Pending transfers only: when they expire (null: never), and the local day and year whose
  -- allowance they used.
  deadline bigint,
  day integer,
  year smallint
);
create index transfers_held on transfers (deadline) where state = transfer_state_pending();
create table moves (
  kind smallint not null,
  debited bigint not null,
  credited bigint not null
);
create table calls (
  session integer primary key,
  number bigint not null,
  answer smallint[],
  lease text
);
create table lease (
  id text not null,
  holder text not null,
  since timestamptz not null default now()
);
create sequence sessions;
