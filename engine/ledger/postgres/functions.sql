-- The postgres ledger's functions. ledgerSql.ts runs this in the ledger's schema (search_path set
-- to it, so names here are unqualified), after the header of constant functions made from the
-- TypeScript tables: result_insufficient_funds() is ResultCode.insufficient_funds, and so on. Each
-- function keeps that search_path for its calls (`set search_path from current`).

-- Refuses a call of session p_session, which no longer holds the ledger: names who holds it now.
create or replace function not_held(p_session integer)
returns void language plpgsql set search_path from current as $fn$
declare
  v_holder text;
  v_since text;
begin
  select holder, to_char(since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') into v_holder, v_since from lease limit 1;
  if v_holder is null then
    raise exception using errcode = lease_refused_state(), message = format('no run holds it now (this is session %s)', p_session);
  end if;
  raise exception using errcode = lease_refused_state(), message = format('it was taken over by %s, since %s (this is session %s)', v_holder, v_since, p_session);
end
$fn$;

create or replace function create_accounts(p_session integer, p_number bigint, p_id bigint[], p_tier smallint[], p_flags smallint[])
returns smallint[] language plpgsql set search_path from current as $fn$
declare
  v_answer smallint[];
  v_last bigint;
  v_lease text;
  v_max bigint;
  v_tiers integer;
begin
  -- The ledger's lock, then: a repeat of this session's last call gets the answer it had.
  perform pg_advisory_xact_lock(ledger_lock_key());
  select number, answer, lease into v_last, v_answer, v_lease from calls where session = p_session;
  -- A session of a run whose ledger was taken over (and emptied) by another: refused, naming it.
  if not found or v_lease is distinct from (select id from lease limit 1) then perform not_held(p_session); end if;
  if p_number = v_last then return v_answer; end if;
  if p_number < v_last then raise exception 'call % of session % is out of turn (the last was %)', p_number, p_session, v_last; end if;
  select accounts_max, cardinality(limits) / 4 into v_max, v_tiers from ledger;
  with given as (
    select g.id, g.tier, g.flags, g.ord,
      case
        when g.id >= v_max then account_result_id_out_of_range()
        when g.flags & ~account_flags_known() <> 0 then account_result_invalid_flags()
        when g.tier >= v_tiers then account_result_invalid_tier()
      end as refused,
      row_number() over (partition by g.id, g.id >= v_max or g.flags & ~account_flags_known() <> 0 or g.tier >= v_tiers order by g.ord) as nth
    from unnest(p_id, p_tier, p_flags) with ordinality g(id, tier, flags, ord)
  ),
  created as (
    insert into accounts (id, tier, flags)
    select id, tier, flags from given where refused is null and nth = 1
    on conflict (id) do nothing
    returning id
  )
  select array_agg(
    (case
      when g.refused is not null then g.refused
      when g.nth = 1 and c.id is not null then account_result_created()
      else account_result_exists()
    end)::smallint order by g.ord)
  into v_answer
  from given g left join created c on c.id = g.id;
  update calls set number = p_number, answer = v_answer where session = p_session;
  return coalesce(v_answer, '{}');
end
$fn$;

-- One batch of transfers, in order, by the rules of ledgerCore.ts; the codes, one per transfer.
-- p_day and p_year are each transfer's local simulated day and year (computed by the caller).
create or replace function submit(
  p_session integer, p_number bigint,
  p_id bigint[], p_debit bigint[], p_credit bigint[], p_amount bigint[], p_kind smallint[], p_flags smallint[],
  p_pending_id bigint[], p_timeout bigint[], p_minute bigint[], p_day integer[], p_year smallint[],
  -- What the caller may work out for the call, sparing the server (each computed here when null):
  -- the batch's accounts (distinct, in order) and each transfer's positions in that list, whether
  -- the ids rise, the latest minute, and whether any transfer is two-phase.
  p_accounts bigint[] default null, p_debit_at integer[] default null, p_credit_at integer[] default null,
  p_rising boolean default null, p_max_minute bigint default null, p_two_phase boolean default null)
returns smallint[] language plpgsql set search_path from current as $fn$
declare
  n constant integer := coalesce(cardinality(p_id), 0);
  money_max constant bigint := fen_exact_max();
  kinds constant integer := transfer_kind_count();
  -- The flags of a two-phase transfer, and of one that settles a pending transfer.
  two_phase constant integer := transfer_flag_pending() | transfer_flag_post_pending() | transfer_flag_void_pending();
  settling constant integer := transfer_flag_post_pending() | transfer_flag_void_pending();
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
  -- Per transfer: its accounts' slots (0: no such account), the code the ledger's transfer under its
  -- id before the call gives it (exists or exists_with_different_body; ok for none), and the batch's
  -- previous use of its id.
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
  -- Per position: the state it was applied in (applied, or pending for a pending transfer); 0 for none.
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
  perform pg_advisory_xact_lock(ledger_lock_key());
  select number, answer, lease into v_last, code, v_lease from calls where session = p_session;
  if not found or v_lease is distinct from (select id from lease limit 1) then perform not_held(p_session); end if;
  if p_number = v_last then return code; end if;
  if p_number < v_last then raise exception 'call % of session % is out of turn (the last was %)', p_number, p_session, v_last; end if;
  code := array_fill(result_ok()::smallint, array[n]);
  applied := array_fill(0::smallint, array[n]);
  if n = 0 then
    update calls set number = p_number, answer = code where session = p_session;
    return code;
  end if;

  v_max_minute := p_max_minute;
  if v_max_minute is null then select max(x) into v_max_minute from unnest(p_minute) x; end if;
  v_settles := p_two_phase;
  if v_settles is null then select exists (select 1 from unnest(p_flags) x where x & two_phase <> 0) into v_settles; end if;
  select array_agg(id order by id) into v_expiring from transfers where state = transfer_state_pending() and deadline <= v_max_minute;
  select limits, pending_max, pending_count, pending_fen into v_limits, v_pending_max, v_pending_count, v_pending_fen from ledger;
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
      from (select ctid, * from accounts where id = any (p_accounts) order by id) a;
    if coalesce(cardinality(acc), 0) = cardinality(p_accounts) then
      d_slot := p_debit_at;
      c_slot := p_credit_at;
    end if;
  end if;
  if d_slot is null then
    select array_agg(a.id), array_agg(a.ctid), array_agg(a.tier), array_agg(a.flags), array_agg(a.balance), array_agg(a.pending_debit), array_agg(a.pending_credit),
           array_agg(a.spent_day), array_agg(a.spent_day_on), array_agg(a.spent_year), array_agg(a.spent_year_in)
      into acc, a_tid, a_tier, a_flags, a_balance, a_pdebit, a_pcredit, a_spent_day, a_day, a_spent_year, a_year
      from (select ctid, * from accounts
            where id = any (array(select x from unnest(p_debit) x union select x from unnest(p_credit) x
                                  union select debit from transfers where id = any (coalesce(v_expiring, '{}'))
                                  union select credit from transfers where id = any (coalesce(v_expiring, '{}'))))
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
  select max(id) into v_held_max from transfers;
  v_rising := p_rising;
  if v_rising is null then
    select bool_and(g.id > g.before) into v_rising
      from (select u.id, lag(u.id, 1, -1::bigint) over (order by u.ord) as before from unnest(p_id) with ordinality u(id, ord)) g;
  end if;
  if v_rising and (v_held_max is null or p_id[1] > v_held_max) then
    prior := array_fill(result_ok()::smallint, array[n]);
    prev_same := array_fill(0, array[n]);
  else
    select array_agg(q.prior) into prior
      from (select (case when x.id is null then result_ok()
                         when (x.debit, x.credit, x.amount, x.kind, x.flags, x.pending_id, x.timeout)
                            = (t.debit, t.credit, t.amount, t.kind, t.flags, t.pending_id, t.timeout) then result_exists()
                         else result_exists_with_different_body() end)::smallint as prior
              from unnest(p_id, p_debit, p_credit, p_amount, p_kind, p_flags, p_pending_id, p_timeout)
                   with ordinality t(id, debit, credit, amount, kind, flags, pending_id, timeout, ord)
              left join transfers x on x.id = t.id
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
            from (select * from transfers
                   where id = any (array(select pid from unnest(p_pending_id, p_flags) r(pid, flags) where r.flags & settling <> 0
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
       where t.flags & settling <> 0
       group by t.ord
    loop
      ref_last[i] := j;
    end loop;
    for i, j in
      select t.ord, p.slot
        from unnest(p_pending_id, p_flags) with ordinality t(pid, flags, ord)
        join unnest(coalesce(pe_id, '{}')) with ordinality p(id, slot) on p.id = t.pid
       where t.flags & settling <> 0
    loop
      ref_db[i] := j;
    end loop;
  end if;
  for ps in 1..pe_base loop
    if pe_state[ps] = transfer_state_pending() and pe_deadline[ps] is not null then
      live_count := live_count + 1;
      live[live_count] := ps;
      if next_expiry is null or pe_deadline[ps] < next_expiry then next_expiry := pe_deadline[ps]; end if;
    end if;
  end loop;

  for i in 1..n loop
    linked := (p_flags[i] & transfer_flag_linked()) <> 0;
    if chain_start = 0 then
      -- Between chains: every pending transfer due at or before this minute expires.
      if p_minute[i] >= next_expiry then
        m := 0;
        next_expiry := null;
        for j in 1..live_count loop
          ps := live[j];
          if pe_state[ps] <> transfer_state_pending() then continue; end if;
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
            pe_state[ps] := transfer_state_expired();
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
      c := result_linked_event_failed();
    else
      <<apply>>
      begin
        f := p_flags[i];
        phase := f & two_phase;
        if f & ~transfer_flags_known() <> 0 or phase & (phase - 1) <> 0 then c := result_invalid_flags(); exit apply; end if;
        k := p_kind[i];
        if k < 0 or k >= kinds or k = transfer_kind_recovery() then
          c := result_invalid_kind(); exit apply;
        end if;
        -- The id: applied earlier in this batch, or held by the ledger before it.
        j := prev_same[i];
        while j > 0 and applied[j] = 0 loop j := prev_same[j]; end loop;
        if j > 0 then
          if p_debit[j] = p_debit[i] and p_credit[j] = p_credit[i] and p_amount[j] = p_amount[i] and p_kind[j] = p_kind[i]
             and p_flags[j] = p_flags[i] and p_pending_id[j] = p_pending_id[i] and p_timeout[j] = p_timeout[i] then c := result_exists(); else c := result_exists_with_different_body(); end if;
          exit apply;
        end if;
        if prior[i] <> result_ok() then c := prior[i]; exit apply; end if;
        ds := d_slot[i]; cs := c_slot[i];
        if ds = 0 or cs = 0 then c := result_unknown_account(); exit apply; end if;
        if ds = cs then c := result_same_account(); exit apply; end if;
        if (a_flags[ds] | a_flags[cs]) & account_flag_frozen() <> 0 then c := result_frozen(); exit apply; end if;
        amt := p_amount[i];
        if amt > transfer_amount_fen_max() then c := result_invalid_amount(); exit apply; end if;
        -- Inside a chain, both accounts are journaled as they are now, whether or not this transfer
        -- changes them: an undo that restores a value it never changed changes nothing.
        if chain_start > 0 then
          foreach m in array array[ds, cs] loop
            j_len := j_len + 1; j_slot[j_len] := m; j_is_pending[j_len] := false;
            j_balance[j_len] := a_balance[m]; j_pdebit[j_len] := a_pdebit[m]; j_pcredit[j_len] := a_pcredit[m];
            j_spent_day[j_len] := a_spent_day[m]; j_day[j_len] := a_day[m]; j_spent_year[j_len] := a_spent_year[m]; j_year[j_len] := a_year[m];
          end loop;
        end if;

        if phase = transfer_flag_post_pending() or phase = transfer_flag_void_pending() then
          -- A post or a void: find the pending transfer, in this batch first.
          posting := phase = transfer_flag_post_pending();
          j := ref_last[i];
          while j > 0 and applied[j] = 0 loop j := prev_same[j]; end loop;
          if j > 0 then
            if applied[j] <> transfer_state_pending() then c := result_pending_not_found(); exit apply; end if;
            ps := pe_base + j;
          else
            ps := ref_db[i];
            if ps = 0 then c := result_pending_not_found(); exit apply; end if;
          end if;
          st := pe_state[ps];
          if st = transfer_state_applied() then c := result_pending_not_found(); exit apply; end if;
          if st = transfer_state_posted() then c := result_pending_already_posted(); exit apply; end if;
          if st = transfer_state_voided() then c := result_pending_already_voided(); exit apply; end if;
          if st = transfer_state_expired() or pe_deadline[ps] <= p_minute[i] then c := result_pending_expired(); exit apply; end if;
          if pe_debit[ps] <> ds or pe_credit[ps] <> cs or pe_kind[ps] <> k then c := result_pending_mismatch(); exit apply; end if;
          reserved := pe_amount[ps];
          if posting and amt > reserved or not posting and amt <> 0 and amt <> reserved then c := result_exceeds_pending_amount(); exit apply; end if;
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
          pe_state[ps] := case when posting then transfer_state_posted() else transfer_state_voided() end;
          a_dirty[ds] := true; a_dirty[cs] := true;
          applied[i] := transfer_state_applied();
          c := result_ok();
          exit apply;
        end if;

        if amt = 0 then c := result_invalid_amount(); exit apply; end if;
        -- The limits of the payer's tier, on the local day and year of the transfer.
        t := a_tier[ds];
        spent_d := 0; spent_y := 0;
        if t <> 0 then
          if v_limits[4 * t + 2] <> 0 and amt > v_limits[4 * t + 2] then c := result_per_payment_limit(); exit apply; end if;
          if a_day[ds] = p_day[i] then spent_d := a_spent_day[ds]; end if;
          if v_limits[4 * t + 3] <> 0 and spent_d + amt > v_limits[4 * t + 3] then c := result_daily_limit(); exit apply; end if;
          if a_year[ds] = p_year[i] then spent_y := a_spent_year[ds]; end if;
          if v_limits[4 * t + 4] <> 0 and spent_y + amt > v_limits[4 * t + 4] then c := result_yearly_limit(); exit apply; end if;
        end if;
        available := a_balance[ds] - a_pdebit[ds];
        if available < amt and a_flags[ds] & account_flag_issuer() = 0 then c := result_insufficient_funds(); exit apply; end if;
        held := a_balance[cs] + a_pcredit[cs];
        pt := a_tier[cs];
        if pt <> 0 then
          cap := v_limits[4 * pt + 1];
          if cap <> 0 and held + amt > cap then c := result_balance_cap(); exit apply; end if;
        end if;
        reserve := phase = transfer_flag_pending();
        if reserve and v_pending_count >= v_pending_max then c := result_pending_capacity(); exit apply; end if;
        if held + amt > money_max or available - amt < -money_max then c := result_overflows(); exit apply; end if;
        if reserve and a_pdebit[ds] + amt > money_max then c := result_overflows(); exit apply; end if;

        -- Accepted: from here on, nothing fails.
        if t <> 0 then
          if v_limits[4 * t + 3] <> 0 then a_day[ds] := p_day[i]; a_spent_day[ds] := spent_d + amt; end if;
          if v_limits[4 * t + 4] <> 0 then a_year[ds] := p_year[i]; a_spent_year[ds] := spent_y + amt; end if;
        end if;
        if reserve then
          a_pdebit[ds] := a_pdebit[ds] + amt; a_pcredit[cs] := a_pcredit[cs] + amt;
          ps := pe_base + i;
          pe_id[ps] := p_id[i]; pe_debit[ps] := ds; pe_credit[ps] := cs; pe_amount[ps] := amt; pe_kind[ps] := k;
          pe_state[ps] := transfer_state_pending(); pe_day[ps] := p_day[i]; pe_year[ps] := p_year[i];
          pe_deadline[ps] := case when p_timeout[i] = 0 then null else p_minute[i] + p_timeout[i] end;
          v_pending_count := v_pending_count + 1; v_pending_fen := v_pending_fen + amt;
          if pe_deadline[ps] is not null then
            live_count := live_count + 1;
            live[live_count] := ps;
            if next_expiry is null or pe_deadline[ps] < next_expiry then next_expiry := pe_deadline[ps]; end if;
          end if;
          applied[i] := transfer_state_pending();
        else
          a_balance[ds] := a_balance[ds] - amt; a_balance[cs] := a_balance[cs] + amt;
          tot_debit[k + 1] := tot_debit[k + 1] + amt;
          tot_credit[k + 1] := tot_credit[k + 1] + amt;
          applied[i] := transfer_state_applied();
        end if;
        a_dirty[ds] := true; a_dirty[cs] := true;
        c := result_ok();
      end;
      if chain_start > 0 then
        if c = result_exists() then
          existing := existing + 1;
          if first_exists = 0 then first_exists := i; end if;
        elsif c <> result_ok() then
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
          if applied[m] = transfer_state_pending() then pe_state[pe_base + m] := 0; end if;
          applied[m] := 0;
          if failed = -1 then code[m] := result_linked_chain_open(); elsif m <> failed then code[m] := result_linked_event_failed(); end if;
        end loop;
        tot_debit := saved_tot_debit; tot_credit := saved_tot_credit;
        v_pending_count := saved_count; v_pending_fen := saved_fen; next_expiry := saved_expiry; live_count := saved_live;
      end if;
      chain_start := 0;
    end if;
  end loop;

  -- Write back what changed, in a few statements for the whole batch. Accounts are found again by
  -- where the read found them (ctid: no index to search), which holds while the call holds the lock.
  update accounts a
     set balance = v.balance, pending_debit = v.pdebit, pending_credit = v.pcredit,
         spent_day = v.spent_day, spent_day_on = v.day, spent_year = v.spent_year, spent_year_in = v.year
    from unnest(a_tid, a_balance, a_pdebit, a_pcredit, a_spent_day, a_day, a_spent_year, a_year, a_dirty)
         v(tid, balance, pdebit, pcredit, spent_day, day, spent_year, year, dirty)
   where v.dirty and a.ctid = v.tid;
  insert into transfers (id, debit, credit, amount, kind, flags, pending_id, timeout, minute, state, deadline, day, year)
  select t.id, t.debit, t.credit, t.amount, t.kind, t.flags, t.pending_id, t.timeout, t.minute,
         case when t.applied = transfer_state_pending() then pe_state[pe_base + t.ord::integer] else transfer_state_applied() end,
         case when t.applied = transfer_state_pending() then pe_deadline[pe_base + t.ord::integer] end,
         case when t.applied = transfer_state_pending() then t.day end,
         case when t.applied = transfer_state_pending() then t.year end
    from unnest(p_id, p_debit, p_credit, p_amount, p_kind, p_flags, p_pending_id, p_timeout, p_minute, p_day, p_year, applied)
         with ordinality t(id, debit, credit, amount, kind, flags, pending_id, timeout, minute, day, year, applied, ord)
   where t.applied <> 0;
  if pe_base > 0 then
    update transfers x set state = v.state
      from unnest(pe_id[1:pe_base], pe_state[1:pe_base], pe_was) v(id, state, was)
     where v.state <> v.was and x.id = v.id;
  end if;
  insert into moves (kind, debited, credited)
  select g.kind - 1, g.debited, g.credited from unnest(tot_debit, tot_credit) with ordinality g(debited, credited, kind)
   where g.debited <> 0 or g.credited <> 0;
  if v_counted then
    update ledger set pending_count = v_pending_count, pending_fen = v_pending_fen;
  end if;
  update calls set number = p_number, answer = code where session = p_session;
  return code;
end
$fn$;
