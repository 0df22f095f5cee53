package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"superapp/internal/store"
	"superapp/internal/store/storetest"
)

func TestGroupTx(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	if _, err := db.Exec(ctx, "CREATE TABLE group_test (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	errOdd := errors.New("odd")
	const n = 400
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = db.GroupTx(ctx, func(tx *store.Tx) error {
				// Two writes; odd callers fail after both, which must undo both.
				if _, err := tx.Exec(ctx, "INSERT INTO group_test(k, v) VALUES (?, ?)", fmt.Sprintf("a%d", i), i); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, "INSERT INTO group_test(k, v) VALUES (?, ?)", fmt.Sprintf("b%d", i), i); err != nil {
					return err
				}
				var got int
				if err := tx.QueryRow(ctx, "SELECT v FROM group_test WHERE k = ?", fmt.Sprintf("a%d", i)).Scan(&got); err != nil || got != i {
					return fmt.Errorf("read own write: %d, %v", got, err)
				}
				if i%2 == 1 {
					return errOdd
				}
				if i == 10 && db.Dialect == store.SQLite {
					// On SQLite fn runs on the committer goroutine, which
					// turns a panic into that caller's error.
					panic("boom")
				}
				return nil
			})
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		switch {
		case i == 10 && db.Dialect == store.SQLite:
			if err == nil {
				t.Errorf("caller %d panicked but got no error", i)
			}
		case i%2 == 1:
			if !errors.Is(err, errOdd) {
				t.Errorf("caller %d: got %v, want its own error", i, err)
			}
		case err != nil:
			t.Errorf("caller %d: %v", i, err)
		}
	}
	var rows int
	if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM group_test").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	want := 2 * (n / 2)
	if db.Dialect == store.SQLite {
		want -= 2
	}
	if rows != want {
		t.Errorf("%d rows committed, want %d (two per successful caller, none of failed ones)", rows, want)
	}

	// A caller whose context has ended never runs.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	if err := db.GroupTx(cctx, func(tx *store.Tx) error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
		t.Errorf("cancelled caller: err %v, ran %v", err, ran)
	}

	// A failing statement fails only its caller.
	if err := db.GroupTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO group_test(k, v) VALUES (?, ?)", "a0", 0)
		return err
	}); !store.IsUniqueViolation(err) {
		t.Errorf("duplicate key: got %v", err)
	}
	if err := db.GroupTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO group_test(k, v) VALUES (?, ?)", "after", 1)
		return err
	}); err != nil {
		t.Errorf("after a failed caller: %v", err)
	}

	db.Close()
	if db.Dialect == store.SQLite {
		if err := db.GroupTx(ctx, func(tx *store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
			t.Errorf("after Close: got %v, want ErrClosed", err)
		}
	}
}
