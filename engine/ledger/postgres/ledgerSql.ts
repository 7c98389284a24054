/**
 * The postgres ledger's schema and its two functions, in one schema of the user's database
 * (`?schema=`, default `citytwin`). The rules are those of ledgerCore.ts, applied inside the
 * server: each submit is one call of `submit(...)` over arrays (one per column), so a batch of
 * thousands of transfers is one round trip and a handful of set-based statements around one loop.
 *
 *   ledger     one row: the format, the tier table, the pending transfers held and their fen
 *   accounts   one row per account: balance, reservations and the limit counters (what the payer
 *              spent on its local day and year), so a payment updates one row per side
 *   transfers  one row per accepted transfer, the id unique: its body (for `exists` against
 *              `exists_with_different_body`) and, for a pending one, its state and deadline
 *   moves      what each call posted, by kind, each side apart: totals() sums them
 *   calls      each session's last call and its answer, so a retried call is answered, not applied again
 *              (numbers only grow: a server in front may number reads too, which are not recorded here),
 *              and the lease the session was opened under
 *   lease      at most one row: the run holding the ledger (ledgerLease.ts), its lease id and since when;
 *              the holder's own connection holds the lease's advisory lock (postgresLease.ts) meanwhile
 *
 * Concurrency: each call (and open(), which empties the schema) holds the ledger's lock (a
 * transaction-level advisory lock, one per schema) from its start to its commit, so calls from several connections apply one after another,
 * each seeing every call committed before it: no lost update, and the `check` constraints refuse a
 * negative balance in the database itself. The city's hot accounts (the transit operator, large
 * merchants) are in nearly every batch, so row locks would queue the calls just the same, at the
 * cost of a log record per locked row; a hot account is written once per call, not once per
 * transfer. A retry waits on the lock for an attempt still under way on a lost connection, then
 * reads its answer from `calls`.
 *
 * Each call also checks, under the lock, that its session was opened under the lease the ledger is
 * held by now: a run whose ledger another run took over (and emptied) is refused with the new
 * holder's name (SQLSTATE `leaseRefusedState`) rather than write into that run's ledger.
 */

/** Bumped whenever the schema changes: a ledger of another format is dropped and made anew. */
export const ledgerFormat = 'citytwin-ledger 4'

/** The SQLSTATE a call raises when its session no longer holds the ledger. */
export const leaseRefusedState = 'CTL01'

/** The tables, in schema `s` (a quoted identifier). */
export function tablesSql(s: string): string {
  return `
create table ${s}.ledger (
  format text not null,
  accounts_max bigint not null,
  -- Four limits a tier, tier t's at 4t+1..4t+4: balance cap, per payment, per day, per year (0 = none).
  limits bigint[] not null,
  utc_offset integer not null,
  pending_max bigint not null,
  pending_count bigint not null default 0,
  pending_fen bigint not null default 0
);
create table ${s}.accounts (
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
  -- Only the issuer (flag 1) may go below zero; reservations never do. The database itself holds to this.
  constraint no_overdraft check (balance >= 0 or flags & 1 = 1),
  constraint reservations_not_negative check (pending_debit >= 0 and pending_credit >= 0)
) with (fillfactor = 70);
create table ${s}.transfers (
  id bigint primary key,
  debit bigint not null,
  credit bigint not null,
  amount bigint not null,
  kind smallint not null,
  flags smallint not null,
  pending_id bigint not null,
  timeout bigint not null,
  minute bigint not null,
  -- 1 applied (plain, post or void), 2 pending, 3 posted, 4 voided, 5 expired.
  state smallint not null,
  -- Pending transfers only: when they expire (null: never), and the local day and year whose
  -- allowance they used.
  deadline bigint,
  day integer,
  year smallint
);
create index transfers_held on ${s}.transfers (deadline) where state = 2;
create table ${s}.moves (
  kind smallint not null,
  debited bigint not null,
  credited bigint not null
);
create table ${s}.calls (
  session integer primary key,
  number bigint not null,
  answer smallint[],
  lease text
);
create table ${s}.lease (
  id text not null,
  holder text not null,
  since timestamptz not null default now()
);
create sequence ${s}.sessions;
`
}

/** The key of the lock a call holds on the ledger in schema `name`, as SQL. */
export function lockKey(name: string): string {
  return `hashtext('citytwin ledger ${name}')`
}

/** The key of the lock the holder of the ledger in schema `name` holds for the ledger's life, as SQL. */
export function leaseKey(name: string): string {
  return `hashtext('citytwin lease ${name}')`
}

/** The lease row's holder and since (ISO, UTC), as selected from `s`.lease. */
export function leaseRowSql(s: string): string {
  return `select id, holder, to_char(since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as since from ${s}.lease limit 1`
}

/** The functions. Result and account codes are those of resultCode.ts, by number. */
export function functionsSql(s: string, name: string): string {
  return `
-- Refuses a call of session p_session, which no longer holds the ledger: names who holds it now.
create or replace function ${s}.not_held(p_session integer)
returns void language plpgsql as $fn$
declare
  v_holder text;
  v_since text;
begin
  select holder, to_char(since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') into v_holder, v_since from ${s}.lease limit 1;
  if v_holder is null then
    raise exception using errcode = '${leaseRefusedState}', message = format('no run holds it now (this is session %s)', p_session);
  end if;
  raise exception using errcode = '${leaseRefusedState}', message = format('it was taken over by %s, since %s (this is session %s)', v_holder, v_since, p_session);
end
$fn$;

create or replace function ${s}.create_accounts(p_session integer, p_number bigint, p_id bigint[], p_tier smallint[], p_flags smallint[])
returns smallint[] language plpgsql as $fn$
declare
  v_answer smallint[];
  v_last bigint;
  v_lease text;
  v_max bigint;
  v_tiers integer;
begin
  -- The ledger's lock, then: a repeat of this session's last call gets the answer it had.
  perform pg_advisory_xact_lock(${lockKey(name)});
  select number, answer, lease into v_last, v_answer, v_lease from ${s}.calls where session = p_session;
  -- A session of a run whose ledger was taken over (and emptied) by another: refused, naming it.
  if not found or v_lease is distinct from (select id from ${s}.lease limit 1) then perform ${s}.not_held(p_session); end if;
  if p_number = v_last then return v_answer; end if;
  if p_number < v_last then raise exception 'call % of session % is out of turn (the last was %)', p_number, p_session, v_last; end if;
  select accounts_max, cardinality(limits) / 4 into v_max, v_tiers from ${s}.ledger;
  with given as (
    select g.id, g.tier, g.flags, g.ord,
      case
        when g.id >= v_max then 2
        when g.flags & ~3 <> 0 then 4
        when g.tier >= v_tiers then 3
      end as refused,
      row_number() over (partition by g.id, g.id >= v_max or g.flags & ~3 <> 0 or g.tier >= v_tiers order by g.ord) as nth
    from unnest(p_id, p_tier, p_flags) with ordinality g(id, tier, flags, ord)
  ),
  created as (
    insert into ${s}.accounts (id, tier, flags)
    select id, tier, flags from given where refused is null and nth = 1
    on conflict (id) do nothing
    returning id
  )
  select array_agg(
    (case
      when g.refused is not null then g.refused
      when g.nth = 1 and c.id is not null then 0
      else 1
    end)::smallint order by g.ord)
  into v_answer
  from given g left join created c on c.id = g.id;
  update ${s}.calls set number = p_number, answer = v_answer where session = p_session;
  return coalesce(v_answer, '{}');
end
$fn$;

-- One batch of transfers, in order, by the rules of ledgerCore.ts; the codes, one per transfer.
-- p_day and p_year are each transfer's local simulated day and year (computed by the caller).
create or replace function ${s}.submit(
  p_session integer, p_number bigint,
  p_id bigint[], p_debit bigint[], p_credit bigint[], p_amount bigint[], p_kind smallint[], p_flags smallint[],
  p_pending_id bigint[], p_timeout bigint[], p_minute bigint[], p_day integer[], p_year smallint[],
  -- What the caller may work out for the call, sparing the server (each computed here when null):
  -- the batch's accounts (distinct, in order) and each transfer's positions in that list, whether
  -- the ids rise, the latest minute, and whether any transfer is two-phase.
  p_accounts bigint[] default null, p_debit_at integer[] default null, p_credit_at integer[] default null,
  p_rising boolean default null, p_max_minute bigint default null, p_two_phase boolean default null)
returns smallint[] language plpgsql as $fn$
declare
  n constant integer := coalesce(cardinality(p_id), 0);
  money_max constant bigint := 9007199254740991;
  kinds constant integer := 9;
  code smallint[];
  v_last bigint;
  v_lease text;
  v_limits bigint[];
  v_pending_max bigint;
  v_pending_count bigint;
  v_pending_fen bigint;
  v_counted boolean := false;
  v_settles boolean;
  v_max_minute bigint;
  v_held_max bigint;
  v_rising boolean;
  v_index_scans text;
  v_expiring bigint[];
  -- The accounts the call may touch, one slot each (acc holds their ids, in order).
  acc bigint[];
  a_tid tid[];
  a_tier smallint[]; a_flags smallint[]; a_balance bigint[]; a_pdebit bigint[]; a_pcredit bigint[];
  a_spent_day bigint[]; a_day integer[]; a_spent_year bigint[]; a_year smallint[]; a_dirty boolean[];
  -- Per transfer: its accounts' slots (0: no such account), what the ledger held under its id before
  -- the call (0 nothing, 1 the same body, 2 another body), and the batch's previous use of its id.
  d_slot integer[]; c_slot integer[]; prior smallint[]; prev_same integer[];
  -- Per post or void: the last earlier position in the batch with the pending id, and the pending slot
  -- of the ledger's transfer with that id (0: none).
  ref_last integer[]; ref_db integer[];
  -- Pending slots: 1..pe_base the ledger's transfers the call may settle or expire, pe_base + i the
  -- pending transfer at position i of the batch. Accounts are slots too.
  pe_base integer := 0;
  pe_id bigint[]; pe_debit integer[]; pe_credit integer[]; pe_amount bigint[]; pe_kind smallint[];
  pe_state smallint[]; pe_was smallint[]; pe_deadline bigint[]; pe_day integer[]; pe_year smallint[];
  live integer[] := '{}'; live_count integer := 0;
  next_expiry bigint;
  -- Per position: 0 not applied, 1 applied (plain, post, void), 2 applied as a pending transfer.
  applied smallint[];
  tot_debit bigint[] := array_fill(0::bigint, array[kinds]);
  tot_credit bigint[] := array_fill(0::bigint, array[kinds]);
  -- A linked chain's undo journal: the accounts and pending slots it changed, as they were.
  chain_start integer := 0; hard_failure integer; first_exists integer; existing integer; failed integer;
  saved_tot_debit bigint[]; saved_tot_credit bigint[]; saved_count bigint; saved_fen bigint; saved_expiry bigint; saved_live integer;
  j_len integer := 0; j_slot integer[] := '{}'; j_is_pending boolean[] := '{}';
  j_balance bigint[] := '{}'; j_pdebit bigint[] := '{}'; j_pcredit bigint[] := '{}';
  j_spent_day bigint[] := '{}'; j_day integer[] := '{}'; j_spent_year bigint[] := '{}'; j_year smallint[] := '{}';
  -- Working values.
  i integer; j integer; m integer; c smallint; f integer; phase integer; k integer; linked boolean;
  ds integer; cs integer; ps integer; t integer; pt integer; st integer;
  amt bigint; spent_d bigint; spent_y bigint; available bigint; held bigint; cap bigint; reserved bigint; posted bigint; back bigint;
  reserve boolean; posting boolean;
begin
  -- The ledger's lock, then: a repeat of this session's last call gets the answer it had.
  perform pg_advisory_xact_lock(${lockKey(name)});
  select number, answer, lease into v_last, code, v_lease from ${s}.calls where session = p_session;
  if not found or v_lease is distinct from (select id from ${s}.lease limit 1) then perform ${s}.not_held(p_session); end if;
  if p_number = v_last then return code; end if;
  if p_number < v_last then raise exception 'call % of session % is out of turn (the last was %)', p_number, p_session, v_last; end if;
  code := array_fill(0::smallint, array[n]);
  applied := array_fill(0::smallint, array[n]);
  if n = 0 then
    update ${s}.calls set number = p_number, answer = code where session = p_session;
    return code;
  end if;

  v_max_minute := p_max_minute;
  if v_max_minute is null then select max(x) into v_max_minute from unnest(p_minute) x; end if;
  v_settles := p_two_phase;
  if v_settles is null then select exists (select 1 from unnest(p_flags) x where x & 14 <> 0) into v_settles; end if;
  select array_agg(id order by id) into v_expiring from ${s}.transfers where state = 2 and deadline <= v_max_minute;
  select limits, pending_max, pending_count, pending_fen into v_limits, v_pending_max, v_pending_count, v_pending_fen from ${s}.ledger;
  v_counted := v_settles or v_expiring is not null;

  -- Every account the call may touch, in id order, one slot each. They are read by the thousand: a
  -- bitmap scan visits each page once, in order, where an index scan visits them one row at a time.
  v_index_scans := current_setting('enable_indexscan');
  perform set_config('enable_indexscan', 'off', true);
  -- (Aggregates over a subquery sorted once keep its order, rather than sorting once each.)
  if p_accounts is not null and v_expiring is null then
    -- The caller's list: when every account in it exists, its positions are the slots.
    select array_agg(a.id), array_agg(a.ctid), array_agg(a.tier), array_agg(a.flags), array_agg(a.balance), array_agg(a.pending_debit), array_agg(a.pending_credit),
           array_agg(a.spent_day), array_agg(a.spent_day_on), array_agg(a.spent_year), array_agg(a.spent_year_in)
      into acc, a_tid, a_tier, a_flags, a_balance, a_pdebit, a_pcredit, a_spent_day, a_day, a_spent_year, a_year
      from (select ctid, * from ${s}.accounts where id = any (p_accounts) order by id) a;
    if coalesce(cardinality(acc), 0) = cardinality(p_accounts) then
      d_slot := p_debit_at;
      c_slot := p_credit_at;
    end if;
  end if;
  if d_slot is null then
    select array_agg(a.id), array_agg(a.ctid), array_agg(a.tier), array_agg(a.flags), array_agg(a.balance), array_agg(a.pending_debit), array_agg(a.pending_credit),
           array_agg(a.spent_day), array_agg(a.spent_day_on), array_agg(a.spent_year), array_agg(a.spent_year_in)
      into acc, a_tid, a_tier, a_flags, a_balance, a_pdebit, a_pcredit, a_spent_day, a_day, a_spent_year, a_year
      from (select ctid, * from ${s}.accounts
            where id = any (array(select x from unnest(p_debit) x union select x from unnest(p_credit) x
                                  union select debit from ${s}.transfers where id = any (coalesce(v_expiring, '{}'))
                                  union select credit from ${s}.transfers where id = any (coalesce(v_expiring, '{}'))))
            order by id) a;
    acc := coalesce(acc, '{}');
    select array_agg(q.d), array_agg(q.c) into d_slot, c_slot
      from (select coalesce(sd.slot, 0)::integer as d, coalesce(sc.slot, 0)::integer as c
              from unnest(p_debit, p_credit) with ordinality t(debit, credit, ord)
              left join unnest(acc) with ordinality sd(id, slot) on sd.id = t.debit
              left join unnest(acc) with ordinality sc(id, slot) on sc.id = t.credit
             order by t.ord) q;
  end if;
  perform set_config('enable_indexscan', v_index_scans, true);
  a_dirty := array_fill(false, array[greatest(cardinality(acc), 1)]);

  -- What the ledger holds under each id, and the batch's earlier use of each id. A run numbers its
  -- transfers upwards: when every id of the batch is above any the ledger holds, and each above the
  -- one before it, neither needs a search.
  select max(id) into v_held_max from ${s}.transfers;
  v_rising := p_rising;
  if v_rising is null then
    select bool_and(g.id > g.before) into v_rising
      from (select u.id, lag(u.id, 1, -1::bigint) over (order by u.ord) as before from unnest(p_id) with ordinality u(id, ord)) g;
  end if;
  if v_rising and (v_held_max is null or p_id[1] > v_held_max) then
    prior := array_fill(0::smallint, array[n]);
    prev_same := array_fill(0, array[n]);
  else
    select array_agg(q.prior) into prior
      from (select (case when x.id is null then 0
                         when (x.debit, x.credit, x.amount, x.kind, x.flags, x.pending_id, x.timeout)
                            = (t.debit, t.credit, t.amount, t.kind, t.flags, t.pending_id, t.timeout) then 1
                         else 2 end)::smallint as prior
              from unnest(p_id, p_debit, p_credit, p_amount, p_kind, p_flags, p_pending_id, p_timeout)
                   with ordinality t(id, debit, credit, amount, kind, flags, pending_id, timeout, ord)
              left join ${s}.transfers x on x.id = t.id
             order by t.ord) q;
    select array_agg(q.prev) into prev_same
      from (select coalesce(lag(u.ord) over (partition by u.id order by u.ord), 0)::integer as prev, u.ord
              from unnest(p_id) with ordinality u(id, ord)
             order by u.ord) q;
  end if;

  -- The ledger's transfers the call may settle (named by a post or void) or expire, in slots.
  select array_agg(q.id), array_agg(q.d), array_agg(q.c), array_agg(q.amount), array_agg(q.kind), array_agg(q.state),
         array_agg(q.deadline), array_agg(q.day), array_agg(q.year)
    into pe_id, pe_debit, pe_credit, pe_amount, pe_kind, pe_state, pe_deadline, pe_day, pe_year
    from (select x.id, coalesce(sd.slot, 0)::integer as d, coalesce(sc.slot, 0)::integer as c, x.amount, x.kind, x.state, x.deadline, x.day, x.year
            from (select * from ${s}.transfers
                   where id = any (array(select pid from unnest(p_pending_id, p_flags) r(pid, flags) where r.flags & 12 <> 0
                                         union select x from unnest(coalesce(v_expiring, '{}')) x))
                   order by id) x
            left join unnest(acc) with ordinality sd(id, slot) on sd.id = x.debit
            left join unnest(acc) with ordinality sc(id, slot) on sc.id = x.credit
           order by x.id) q;
  pe_base := coalesce(cardinality(pe_id), 0);
  pe_was := pe_state;
  ref_last := array_fill(0, array[n]);
  ref_db := array_fill(0, array[n]);
  if v_settles then
    for i, j in
      select t.ord, max(u.ord)
        from unnest(p_pending_id, p_flags) with ordinality t(pid, flags, ord)
        join unnest(p_id) with ordinality u(id, ord) on u.id = t.pid and u.ord < t.ord
       where t.flags & 12 <> 0
       group by t.ord
    loop
      ref_last[i] := j;
    end loop;
    for i, j in
      select t.ord, p.slot
        from unnest(p_pending_id, p_flags) with ordinality t(pid, flags, ord)
        join unnest(coalesce(pe_id, '{}')) with ordinality p(id, slot) on p.id = t.pid
       where t.flags & 12 <> 0
    loop
      ref_db[i] := j;
    end loop;
  end if;
  for ps in 1..pe_base loop
    if pe_state[ps] = 2 and pe_deadline[ps] is not null then
      live_count := live_count + 1;
      live[live_count] := ps;
      if next_expiry is null or pe_deadline[ps] < next_expiry then next_expiry := pe_deadline[ps]; end if;
    end if;
  end loop;

  for i in 1..n loop
    linked := (p_flags[i] & 1) <> 0;
    if chain_start = 0 then
      -- Between chains: every pending transfer due at or before this minute expires.
      if p_minute[i] >= next_expiry then
        m := 0;
        next_expiry := null;
        for j in 1..live_count loop
          ps := live[j];
          if pe_state[ps] <> 2 then continue; end if;
          if pe_deadline[ps] <= p_minute[i] then
            ds := pe_debit[ps]; cs := pe_credit[ps]; reserved := pe_amount[ps];
            a_pdebit[ds] := a_pdebit[ds] - reserved; a_pcredit[cs] := a_pcredit[cs] - reserved;
            t := a_tier[ds];
            if t <> 0 then
              if v_limits[4 * t + 3] <> 0 and a_day[ds] = pe_day[ps] then a_spent_day[ds] := a_spent_day[ds] - least(reserved, a_spent_day[ds]); end if;
              if v_limits[4 * t + 4] <> 0 and a_year[ds] = pe_year[ps] then a_spent_year[ds] := a_spent_year[ds] - least(reserved, a_spent_year[ds]); end if;
            end if;
            a_dirty[ds] := true; a_dirty[cs] := true;
            v_pending_count := v_pending_count - 1; v_pending_fen := v_pending_fen - reserved;
            pe_state[ps] := 5;
          else
            m := m + 1;
            live[m] := ps;
            if next_expiry is null or pe_deadline[ps] < next_expiry then next_expiry := pe_deadline[ps]; end if;
          end if;
        end loop;
        live_count := m;
      end if;
      if linked then
        chain_start := i; hard_failure := 0; first_exists := 0; existing := 0; j_len := 0;
        saved_tot_debit := tot_debit; saved_tot_credit := tot_credit;
        saved_count := v_pending_count; saved_fen := v_pending_fen; saved_expiry := next_expiry; saved_live := live_count;
      end if;
    end if;

    if chain_start > 0 and hard_failure > 0 then
      c := 21;
    else
      <<apply>>
      begin
        f := p_flags[i];
        phase := f & 14;
        if f & ~15 <> 0 or phase & (phase - 1) <> 0 then c := 12; exit apply; end if;
        k := p_kind[i];
        if k < 0 or k >= kinds then c := 13; exit apply; end if;
        -- The id: applied earlier in this batch, or held by the ledger before it.
        j := prev_same[i];
        while j > 0 and applied[j] = 0 loop j := prev_same[j]; end loop;
        if j > 0 then
          if p_debit[j] = p_debit[i] and p_credit[j] = p_credit[i] and p_amount[j] = p_amount[i] and p_kind[j] = p_kind[i]
             and p_flags[j] = p_flags[i] and p_pending_id[j] = p_pending_id[i] and p_timeout[j] = p_timeout[i] then c := 10; else c := 11; end if;
          exit apply;
        end if;
        if prior[i] <> 0 then c := 9 + prior[i]; exit apply; end if;
        ds := d_slot[i]; cs := c_slot[i];
        if ds = 0 or cs = 0 then c := 1; exit apply; end if;
        if ds = cs then c := 2; exit apply; end if;
        if (a_flags[ds] | a_flags[cs]) & 2 <> 0 then c := 9; exit apply; end if;
        amt := p_amount[i];
        if amt > 4294967295 then c := 3; exit apply; end if;
        -- Inside a chain, both accounts are journaled as they are now, whether or not this transfer
        -- changes them: an undo that restores a value it never changed changes nothing.
        if chain_start > 0 then
          foreach m in array array[ds, cs] loop
            j_len := j_len + 1; j_slot[j_len] := m; j_is_pending[j_len] := false;
            j_balance[j_len] := a_balance[m]; j_pdebit[j_len] := a_pdebit[m]; j_pcredit[j_len] := a_pcredit[m];
            j_spent_day[j_len] := a_spent_day[m]; j_day[j_len] := a_day[m]; j_spent_year[j_len] := a_spent_year[m]; j_year[j_len] := a_year[m];
          end loop;
        end if;

        if phase = 4 or phase = 8 then
          -- A post or a void: find the pending transfer, in this batch first.
          posting := phase = 4;
          j := ref_last[i];
          while j > 0 and applied[j] = 0 loop j := prev_same[j]; end loop;
          if j > 0 then
            if applied[j] <> 2 then c := 14; exit apply; end if;
            ps := pe_base + j;
          else
            ps := ref_db[i];
            if ps = 0 then c := 14; exit apply; end if;
          end if;
          st := pe_state[ps];
          if st = 1 then c := 14; exit apply; end if;
          if st = 3 then c := 16; exit apply; end if;
          if st = 4 then c := 17; exit apply; end if;
          if st = 5 or pe_deadline[ps] <= p_minute[i] then c := 18; exit apply; end if;
          if pe_debit[ps] <> ds or pe_credit[ps] <> cs or pe_kind[ps] <> k then c := 15; exit apply; end if;
          reserved := pe_amount[ps];
          if posting and amt > reserved or not posting and amt <> 0 and amt <> reserved then c := 19; exit apply; end if;
          posted := case when not posting then 0 when amt = 0 then reserved else amt end;
          if chain_start > 0 then
            j_len := j_len + 1; j_slot[j_len] := ps; j_is_pending[j_len] := true; j_day[j_len] := st;
          end if;
          -- The reservation goes; what is posted posts under the pending transfer's kind; the rest goes
          -- back to the payer's allowance if its counters are still on that day and year.
          a_pdebit[ds] := a_pdebit[ds] - reserved; a_pcredit[cs] := a_pcredit[cs] - reserved;
          if posted > 0 then
            a_balance[ds] := a_balance[ds] - posted; a_balance[cs] := a_balance[cs] + posted;
            tot_debit[pe_kind[ps] + 1] := tot_debit[pe_kind[ps] + 1] + posted;
            tot_credit[pe_kind[ps] + 1] := tot_credit[pe_kind[ps] + 1] + posted;
          end if;
          back := reserved - posted;
          t := a_tier[ds];
          if back > 0 and t <> 0 then
            if v_limits[4 * t + 3] <> 0 and a_day[ds] = pe_day[ps] then a_spent_day[ds] := a_spent_day[ds] - least(back, a_spent_day[ds]); end if;
            if v_limits[4 * t + 4] <> 0 and a_year[ds] = pe_year[ps] then a_spent_year[ds] := a_spent_year[ds] - least(back, a_spent_year[ds]); end if;
          end if;
          v_pending_count := v_pending_count - 1; v_pending_fen := v_pending_fen - reserved;
          pe_state[ps] := case when posting then 3 else 4 end;
          a_dirty[ds] := true; a_dirty[cs] := true;
          applied[i] := 1;
          c := 0;
          exit apply;
        end if;

        if amt = 0 then c := 3; exit apply; end if;
        -- The limits of the payer's tier, on the local day and year of the transfer.
        t := a_tier[ds];
        spent_d := 0; spent_y := 0;
        if t <> 0 then
          if v_limits[4 * t + 2] <> 0 and amt > v_limits[4 * t + 2] then c := 4; exit apply; end if;
          if a_day[ds] = p_day[i] then spent_d := a_spent_day[ds]; end if;
          if v_limits[4 * t + 3] <> 0 and spent_d + amt > v_limits[4 * t + 3] then c := 5; exit apply; end if;
          if a_year[ds] = p_year[i] then spent_y := a_spent_year[ds]; end if;
          if v_limits[4 * t + 4] <> 0 and spent_y + amt > v_limits[4 * t + 4] then c := 6; exit apply; end if;
        end if;
        available := a_balance[ds] - a_pdebit[ds];
        if available < amt and a_flags[ds] & 1 = 0 then c := 7; exit apply; end if;
        held := a_balance[cs] + a_pcredit[cs];
        pt := a_tier[cs];
        if pt <> 0 then
          cap := v_limits[4 * pt + 1];
          if cap <> 0 and held + amt > cap then c := 8; exit apply; end if;
        end if;
        reserve := phase = 2;
        if reserve and v_pending_count >= v_pending_max then c := 20; exit apply; end if;
        if held + amt > money_max or available - amt < -money_max then c := 23; exit apply; end if;
        if reserve and a_pdebit[ds] + amt > money_max then c := 23; exit apply; end if;

        -- Accepted: from here on, nothing fails.
        if t <> 0 then
          if v_limits[4 * t + 3] <> 0 then a_day[ds] := p_day[i]; a_spent_day[ds] := spent_d + amt; end if;
          if v_limits[4 * t + 4] <> 0 then a_year[ds] := p_year[i]; a_spent_year[ds] := spent_y + amt; end if;
        end if;
        if reserve then
          a_pdebit[ds] := a_pdebit[ds] + amt; a_pcredit[cs] := a_pcredit[cs] + amt;
          ps := pe_base + i;
          pe_id[ps] := p_id[i]; pe_debit[ps] := ds; pe_credit[ps] := cs; pe_amount[ps] := amt; pe_kind[ps] := k;
          pe_state[ps] := 2; pe_day[ps] := p_day[i]; pe_year[ps] := p_year[i];
          pe_deadline[ps] := case when p_timeout[i] = 0 then null else p_minute[i] + p_timeout[i] end;
          v_pending_count := v_pending_count + 1; v_pending_fen := v_pending_fen + amt;
          if pe_deadline[ps] is not null then
            live_count := live_count + 1;
            live[live_count] := ps;
            if next_expiry is null or pe_deadline[ps] < next_expiry then next_expiry := pe_deadline[ps]; end if;
          end if;
          applied[i] := 2;
        else
          a_balance[ds] := a_balance[ds] - amt; a_balance[cs] := a_balance[cs] + amt;
          tot_debit[k + 1] := tot_debit[k + 1] + amt;
          tot_credit[k + 1] := tot_credit[k + 1] + amt;
          applied[i] := 1;
        end if;
        a_dirty[ds] := true; a_dirty[cs] := true;
        c := 0;
      end;
      if chain_start > 0 then
        if c = 10 then
          existing := existing + 1;
          if first_exists = 0 then first_exists := i; end if;
        elsif c <> 0 then
          hard_failure := i;
        end if;
      end if;
    end if;
    code[i] := c;

    if chain_start > 0 and (not linked or i = n) then
      failed := case when not linked and hard_failure > 0 then hard_failure
                     when not linked and existing > 0 and existing < i - chain_start + 1 then first_exists
                     when linked then -1
                     else 0 end;
      if failed <> 0 then
        -- Nothing in the chain applies: undo it, newest change first.
        for m in reverse j_len..1 loop
          ps := j_slot[m];
          if j_is_pending[m] then
            pe_state[ps] := j_day[m];
          else
            a_balance[ps] := j_balance[m]; a_pdebit[ps] := j_pdebit[m]; a_pcredit[ps] := j_pcredit[m];
            a_spent_day[ps] := j_spent_day[m]; a_day[ps] := j_day[m]; a_spent_year[ps] := j_spent_year[m]; a_year[ps] := j_year[m];
          end if;
        end loop;
        for m in chain_start..i loop
          if applied[m] = 2 then pe_state[pe_base + m] := 0; end if;
          applied[m] := 0;
          if failed = -1 then code[m] := 22; elsif m <> failed then code[m] := 21; end if;
        end loop;
        tot_debit := saved_tot_debit; tot_credit := saved_tot_credit;
        v_pending_count := saved_count; v_pending_fen := saved_fen; next_expiry := saved_expiry; live_count := saved_live;
      end if;
      chain_start := 0;
    end if;
  end loop;

  -- Write back what changed, in a few statements for the whole batch. Accounts are found again by
  -- where the read found them (ctid: no index to search), which holds while the call holds the lock.
  update ${s}.accounts a
     set balance = v.balance, pending_debit = v.pdebit, pending_credit = v.pcredit,
         spent_day = v.spent_day, spent_day_on = v.day, spent_year = v.spent_year, spent_year_in = v.year
    from unnest(a_tid, a_balance, a_pdebit, a_pcredit, a_spent_day, a_day, a_spent_year, a_year, a_dirty)
         v(tid, balance, pdebit, pcredit, spent_day, day, spent_year, year, dirty)
   where v.dirty and a.ctid = v.tid;
  insert into ${s}.transfers (id, debit, credit, amount, kind, flags, pending_id, timeout, minute, state, deadline, day, year)
  select t.id, t.debit, t.credit, t.amount, t.kind, t.flags, t.pending_id, t.timeout, t.minute,
         case when t.applied = 2 then pe_state[pe_base + t.ord::integer] else 1 end,
         case when t.applied = 2 then pe_deadline[pe_base + t.ord::integer] end,
         case when t.applied = 2 then t.day end,
         case when t.applied = 2 then t.year end
    from unnest(p_id, p_debit, p_credit, p_amount, p_kind, p_flags, p_pending_id, p_timeout, p_minute, p_day, p_year, applied)
         with ordinality t(id, debit, credit, amount, kind, flags, pending_id, timeout, minute, day, year, applied, ord)
   where t.applied <> 0;
  if pe_base > 0 then
    update ${s}.transfers x set state = v.state
      from unnest(pe_id[1:pe_base], pe_state[1:pe_base], pe_was) v(id, state, was)
     where v.state <> v.was and x.id = v.id;
  end if;
  insert into ${s}.moves (kind, debited, credited)
  select g.kind - 1, g.debited, g.credited from unnest(tot_debit, tot_credit) with ordinality g(debited, credited, kind)
   where g.debited <> 0 or g.credited <> 0;
  if v_counted then
    update ${s}.ledger set pending_count = v_pending_count, pending_fen = v_pending_fen;
  end if;
  update ${s}.calls set number = p_number, answer = code where session = p_session;
  return code;
end
$fn$;
`
}
