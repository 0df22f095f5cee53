package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
)

// ErrClosed is returned by GroupTx once the database is closing.
var ErrClosed = errors.New("database is closed")

// maxGroup bounds how many callers share one group transaction.
const maxGroup = 256

type groupReq struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
}

// GroupTx runs fn in a transaction with InTx's guarantee — fn's writes are
// committed when it returns nil and none of them when it returns an error —
// but on SQLite it lets concurrent callers share one transaction and one
// commit ("group commit"): a single committer goroutine runs every fn that
// is waiting, each inside its own savepoint, commits once, and then answers
// each caller. GroupTx returns after the commit, so a caller sees its writes
// durable exactly as with InTx. On PostgreSQL, which commits concurrent
// transactions in parallel, GroupTx is InTx.
//
// fn runs on the committer goroutine: it must use only tx (any other write
// would wait for the writer connection the group holds), must not block on
// anything else, and is run with statements that ignore cancellation of the
// caller's ctx, which would otherwise abort the shared transaction. A caller
// whose ctx ends before its fn has started gets ctx.Err() and fn never runs.
func (db *DB) GroupTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.Dialect != SQLite {
		return db.InTx(ctx, fn)
	}
	db.groupOnce.Do(func() {
		db.group = make(chan *groupReq, maxGroup)
		db.groupDone.Add(1)
		go db.commitGroups()
	})
	r := &groupReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	// The read lock keeps Close from signalling the committer while a
	// request is being queued, so every queued request is seen by its drain.
	db.groupMu.RLock()
	if db.groupClosed {
		db.groupMu.RUnlock()
		return ErrClosed
	}
	select {
	case db.group <- r:
		db.groupMu.RUnlock()
	case <-ctx.Done():
		db.groupMu.RUnlock()
		return ctx.Err()
	}
	// Once queued, fn either runs or is skipped by the committer; wait for
	// its verdict so a caller never returns while its writes may still land.
	return <-r.done
}

// commitGroups is the committer: it takes whatever is queued (without
// waiting for more, so a lone caller is not delayed) and runs it as one
// transaction, until the database closes.
func (db *DB) commitGroups() {
	defer db.groupDone.Done()
	stmts := &groupStmts{prepared: map[string]*sql.Stmt{}, wanted: map[string]bool{}, bound: map[string]*sql.Stmt{}}
	defer stmts.close()
	batch := make([]*groupReq, 0, maxGroup)
	for {
		var first *groupReq
		select {
		case first = <-db.group:
		case <-db.closing:
			// Callers that queued before closing still get an answer.
			for {
				select {
				case r := <-db.group:
					db.runGroup([]*groupReq{r}, stmts)
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	collect:
		for len(batch) < maxGroup {
			select {
			case r := <-db.group:
				batch = append(batch, r)
			default:
				break collect
			}
		}
		db.runGroup(batch, stmts)
		clear(batch)
		stmts.prepareWanted(db.write)
	}
}

func (db *DB) runGroup(batch []*groupReq, stmts *groupStmts) {
	ctx := context.Background()
	errs := make([]error, len(batch))
	fail := func(err error) {
		for i, r := range batch {
			if errs[i] == nil {
				errs[i] = err
			}
			r.done <- errs[i]
		}
	}
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		fail(err)
		return
	}
	stmts.tx = sqlTx
	defer stmts.unbind()
	tx := &Tx{tx: sqlTx, db: db, ctx: ctx, stmts: stmts}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if _, err := tx.Exec(ctx, "SAVEPOINT grouptx"); err != nil {
			sqlTx.Rollback()
			fail(err)
			return
		}
		if err := runOne(tx, r.fn); err != nil {
			errs[i] = err
			if _, err := tx.Exec(ctx, "ROLLBACK TO grouptx"); err != nil {
				sqlTx.Rollback()
				fail(fmt.Errorf("roll back to savepoint: %w", err))
				return
			}
		}
		if _, err := tx.Exec(ctx, "RELEASE grouptx"); err != nil {
			sqlTx.Rollback()
			fail(err)
			return
		}
	}
	if err := sqlTx.Commit(); err != nil {
		// Nothing of the group was written: every caller fails.
		fail(err)
		return
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// runOne runs fn, turning a panic into an error so that one caller's bug
// cannot take down the committer and every other caller with it.
func runOne(tx *Tx, fn func(tx *Tx) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			slog.Error("panic in group transaction", "panic", v)
			err = fmt.Errorf("panic in group transaction: %v", v)
		}
	}()
	return fn(tx)
}

// maxGroupStmts bounds the prepared statements kept for group transactions.
const maxGroupStmts = 64

// groupStmts keeps the statements group transactions run prepared on the
// writer connection, so that the committer does not parse the same SQL for
// every caller. It belongs to the committer goroutine. A statement seen for
// the first time runs unprepared and is prepared after that transaction
// (preparing needs the connection the transaction holds).
type groupStmts struct {
	prepared map[string]*sql.Stmt // on the writer pool
	wanted   map[string]bool      // to prepare after the current transaction
	tx       *sql.Tx
	bound    map[string]*sql.Stmt // prepared statements bound to tx
}

// get returns query's statement bound to the current transaction, or nil
// when it is not prepared (yet). A nil receiver (no group) returns nil.
func (g *groupStmts) get(ctx context.Context, query string) *sql.Stmt {
	if g == nil {
		return nil
	}
	if st, ok := g.bound[query]; ok {
		return st
	}
	p, ok := g.prepared[query]
	if !ok {
		if len(g.prepared)+len(g.wanted) < maxGroupStmts {
			g.wanted[query] = true
		}
		return nil
	}
	st := g.tx.StmtContext(ctx, p)
	g.bound[query] = st
	return st
}

func (g *groupStmts) unbind() {
	clear(g.bound)
	g.tx = nil
}

func (g *groupStmts) prepareWanted(w *sql.DB) {
	for q := range g.wanted {
		delete(g.wanted, q)
		st, err := w.PrepareContext(context.Background(), q)
		if err != nil {
			continue // it keeps running unprepared, and reports its own error
		}
		g.prepared[q] = st
	}
}

func (g *groupStmts) close() {
	for q, st := range g.prepared {
		st.Close()
		delete(g.prepared, q)
	}
}
