/*
 * index.c - the fast path: decisions in microseconds on fleets of thousands of hosts.
 *
 * Requests of one shape (a request minus its name and tenant) are interchangeable, so the
 * engine keeps, per shape it has seen, every host's verdict: feasible and its total score, or
 * the reason it fails and how far it is from fitting. A tournament tree over the hosts keeps
 * the best one (feasible, highest score, smallest name) at its root. A host's verdicts depend
 * only on its own allocation state, on whether its datastore is full of io-heavy VMs, and on
 * the mix, so:
 *   - placing or releasing on host h re-evaluates h for every shape (gv_index_host_changed),
 *     except the shapes h fails for a reason nothing placed can change (its pool, zone,
 *     labels, state, GPU models: gv_eval_fail_is_fixed; a change of h's state re-evaluates
 *     those too: gv_index_host_refresh). Only shapes asked for often (at least
 *     GV_SHAPE_HOT_USES of the last GV_SHAPE_HOT_WINDOW decisions) do it then, so that their
 *     decisions find them current; the others mark h stale and re-evaluate their stale hosts
 *     when next asked for (shape_sync). A host that changes many times between two requests of
 *     such a shape then costs it one evaluation, and a shape seldom asked for costs nothing
 *     until it is: keeping many shapes is cheap, and each is built once, not again and again as
 *     the least recently used one goes (a trace of 151 shapes built 679 indexes of 1,213 hosts
 *     a run when 64 were kept and every one re-evaluated every change);
 *   - a datastore crossing its io-heavy limit re-evaluates its hosts (engine.c);
 *   - a new mix drops every shape (gv_index_flush), unless the policy's verdicts do not read
 *     it (gv_index_mix_changed); shapes are rebuilt when next asked for.
 * With these rules a cached verdict, once its stale hosts are re-evaluated, always equals a fresh
 * evaluation, which is what makes the fast path decide exactly as the reference; tests check it
 * on random workloads. The order stale hosts are re-evaluated in does not matter: the tree is a
 * function of its leaves, and a reason's kept list stays a prefix of that reason's hosts by
 * closeness (its length may differ, never its first hosts).
 *
 * Below the feasible hosts the tree orders the failed ones by how close they came (a later
 * reason, then a smaller shortfall, then the name: explain.c's order), so when nothing fits its
 * root and the next two are the closest hosts. Per reason the closest GV_CLOSEST_KEEP hosts are
 * kept as hosts change (a changed host leaves the list, and comes back in only where it is known
 * to belong); the fleet is scanned for them again only when a list has run empty. The one-line
 * details of the hosts an explanation shows are kept until those hosts change. A failed
 * decision thus costs a few tree steps, seldom a scan of the fleet. A placed decision needs the
 * root host's full candidate (its GPU units, NUMA split, devices): the evaluation that made a host
 * the root is kept until that host changes, so the usual decision evaluates nothing. At most
 * GV_SHAPES_MAX shapes are kept (fewer on large fleets, GV_SHAPE_LEAVES_MAX); the least recently
 * used one goes first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define GV_SHAPES_MAX 256
#define GV_SHAPES_MIN 64
/* a shape asked for this many times in the last so many decisions (1.6% of them) is kept
 * current as hosts change; fewer, and its decisions re-evaluate what changed since */
#define GV_SHAPE_HOT_USES 8
#define GV_SHAPE_HOT_WINDOW 512
/* the tree leaves of every shape together: at most this many (but GV_SHAPES_MIN shapes) */
#define GV_SHAPE_LEAVES_MAX (UINT64_C(1) << 21)
#define GV_SHAPE_DETAILS (GV_REASON_LAST + GV_EXPLAIN_MAX_CLOSEST)
#define GV_CLOSEST_KEEP 8

/* What an explanation shows of a failed host: its reason, shortfall and one-line detail. */
typedef struct gv_explain_detail {
    int32_t host;
    gv_reason reason;
    int64_t shortfall;
    char detail[GV_EXPLAIN_DETAIL_LEN];
} gv_explain_detail;

struct gv_shape_index {
    gv_request shape;
    gv_ask ask; /* of shape */
    uint64_t hash;
    uint64_t last_used;
    uint64_t used_at[GV_SHAPE_HOT_USES]; /* the last decisions that asked for it (shape_clock) */
    uint64_t n_used;
    size_t n;        /* hosts */
    size_t size;     /* leaves: a power of two >= n */
    int32_t *score;  /* per host, when feasible */
    uint8_t *reason; /* per host: GV_REASON_LAST when feasible */
    uint8_t *fixed;  /* per host: a failure no placement or release can change */
    int32_t *shortfall;
    int32_t *tree; /* 2 * size: node -> best host below it, -1 none */
    uint8_t *stale;    /* per host: changed since its verdict (shape_sync re-evaluates it) */
    int32_t *stale_at; /* the stale hosts, in the order they changed */
    size_t n_stale;
    size_t n_feasible;
    size_t reason_count[GV_REASON_LAST];
    /* per reason: the n_closest[k] hosts of reason k closest to fitting, closest first; a list
     * that ran empty while hosts have the reason is looked for again (closest_refresh) */
    int32_t closest[GV_REASON_LAST][GV_CLOSEST_KEEP];
    uint8_t n_closest[GV_REASON_LAST];
    size_t n_details; /* the details of explained hosts, until they change */
    gv_explain_detail details[GV_SHAPE_DETAILS];
    int32_t root_host;      /* the host root_cand is the evaluation of, -1 none */
    gv_candidate root_cand; /* the tree's best host as evaluated, until that host changes */
};

/* Is failed host @a closer to fitting than failed host @b (of the same reason)? */
static bool
closer(const gv_engine *e, const gv_shape_index *s, size_t a, size_t b)
{
    if (s->shortfall[a] != s->shortfall[b])
        return s->shortfall[a] < s->shortfall[b];
    return e->rank[a] < e->rank[b];
}

/* Is host @a a better pick than host @b for shape @s? (-1 = nobody) */
static bool
leaf_better(const gv_engine *e, const gv_shape_index *s, int a, int b)
{
    bool fa, fb;

    if (a < 0 || b < 0)
        return b < 0 && a >= 0;
    fa = s->reason[a] == GV_REASON_LAST;
    fb = s->reason[b] == GV_REASON_LAST;
    if (fa != fb)
        return fa;
    if (!fa) /* both failed: the closer one (a later reason, then closest within it) */
        return s->reason[a] != s->reason[b] ? s->reason[a] > s->reason[b]
                                            : closer(e, s, (size_t)a, (size_t)b);
    if (s->score[a] != s->score[b])
        return s->score[a] > s->score[b];
    return e->rank[a] < e->rank[b];
}

/* Put host @h into reason @k's list at its place, if that place is within the list (@all: the
 * list holds every host of the reason but @h, so the end is a place too). */
static void
closest_insert(const gv_engine *e, gv_shape_index *s, int k, size_t h, bool all)
{
    int32_t *l = s->closest[k];
    int m = s->n_closest[k], pos = m;

    while (pos > 0 && closer(e, s, h, (size_t)l[pos - 1]))
        pos--;
    if (pos == m && (!all || m == GV_CLOSEST_KEEP))
        return;
    if (m == GV_CLOSEST_KEEP)
        m--; /* the farthest one goes */
    memmove(&l[pos + 1], &l[pos], (size_t)(m - pos) * sizeof(l[0]));
    l[pos] = (int32_t)h;
    s->n_closest[k] = (uint8_t)(m + 1);
}

/* Host @h has just got its verdict: keep it in its reason's list if it belongs there. */
static void
closest_note(const gv_engine *e, gv_shape_index *s, size_t h)
{
    int k = s->reason[h];

    /* the list is the reason's closest n hosts; it has them all when the count says so */
    if (k != GV_REASON_LAST)
        closest_insert(e, s, k, h, s->n_closest[k] == s->reason_count[k] - 1);
}

/* Host @h is about to lose its verdict (of reason @k): it leaves the list. */
static void
closest_forget(gv_shape_index *s, size_t h, int k)
{
    if (k != GV_REASON_LAST) {
        int32_t *l = s->closest[k];
        int m = s->n_closest[k];

        for (int i = 0; i < m; i++) {
            if (l[i] == (int32_t)h) {
                memmove(&l[i], &l[i + 1], (size_t)(m - i - 1) * sizeof(l[0]));
                s->n_closest[k]--;
                break;
            }
        }
    }
    for (size_t i = 0; i < s->n_details; i++)
        if (s->details[i].host == (int32_t)h)
            s->details[i] = s->details[--s->n_details];
}

/* Host @h's verdict changed (or it leaves or rejoins the tree): replay its path to the root.
 * Where a node's winner stays a host other than @h, nothing above it changes. */
static void
tree_update(const gv_engine *e, gv_shape_index *s, size_t h, bool present)
{
    size_t i = s->size + h;

    s->tree[i] = present ? (int32_t)h : -1;
    for (i >>= 1; i >= 1; i >>= 1) {
        int a = s->tree[2 * i], b = s->tree[2 * i + 1];
        int32_t was = s->tree[i], now = leaf_better(e, s, a, b) || b < 0 ? a : b;

        s->tree[i] = now;
        if (now == was && was != (int32_t)h)
            break;
    }
}

static void
verdict(gv_engine *e, gv_shape_index *s, size_t h, gv_candidate *c)
{
    gv_eval_host(e, h, &s->ask, GV_EVAL_VERDICT, c);
    if (c->feasible) {
        s->reason[h] = GV_REASON_LAST;
        s->score[h] = (int32_t)c->score.total;
        s->shortfall[h] = 0;
        s->n_feasible++;
    } else {
        s->reason[h] = (uint8_t)c->fail;
        s->score[h] = 0;
        s->shortfall[h] = c->shortfall > INT32_MAX ? INT32_MAX : (int32_t)c->shortfall;
        s->reason_count[c->fail]++;
        s->fixed[h] = gv_eval_fail_is_fixed(e, h, &s->shape, c->fail);
    }
}

static void
unverdict(gv_shape_index *s, size_t h)
{
    if (s->reason[h] == GV_REASON_LAST)
        s->n_feasible--;
    else
        s->reason_count[s->reason[h]]--;
}

static void
shape_free(gv_shape_index *s)
{
    if (!s)
        return;
    free(s->score);
    free(s->reason);
    free(s->fixed);
    free(s->shortfall);
    free(s->tree);
    free(s->stale);
    free(s->stale_at);
    free(s);
}

static gv_shape_index *
shape_build(gv_engine *e, const gv_request *shape, uint64_t hash)
{
    gv_shape_index *s = GV_NEW0(gv_shape_index);
    gv_candidate *c = e->index_cand;
    size_t n = e->fleet->n_hosts;

    s->shape = *shape;
    gv_ask_init(e, &s->shape, &s->ask);
    s->hash = hash;
    s->n = n;
    s->root_host = -1;
    for (s->size = 1; s->size < n; s->size <<= 1)
        ;
    s->score = gv_calloc(n ? n : 1, sizeof(int32_t));
    s->reason = gv_calloc(n ? n : 1, 1);
    s->fixed = gv_calloc(n ? n : 1, 1);
    s->shortfall = gv_calloc(n ? n : 1, sizeof(int32_t));
    s->tree = gv_calloc(2 * s->size, sizeof(int32_t));
    s->stale = gv_calloc(n ? n : 1, 1);
    s->stale_at = gv_calloc(n ? n : 1, sizeof(int32_t));
    for (size_t i = 0; i < 2 * s->size; i++)
        s->tree[i] = -1;
    for (size_t h = 0; h < n; h++) {
        verdict(e, s, h, c);
        closest_note(e, s, h);
        s->tree[s->size + h] = (int32_t)h;
    }
    for (size_t i = s->size - 1; i >= 1; i--) {
        int a = s->tree[2 * i], b = s->tree[2 * i + 1];
        s->tree[i] = leaf_better(e, s, a, b) || b < 0 ? a : b;
    }
    if (s->size == 1)
        s->tree[1] = n ? 0 : -1;
    return s;
}

/* Host @h changed since its verdict for @s: evaluate it again and put it where it belongs. */
static void
shape_host_update(gv_engine *e, gv_shape_index *s, size_t h)
{
    gv_candidate *c = e->index_cand;
    int was = s->reason[h];

    unverdict(s, h);
    closest_forget(s, h, was);
    verdict(e, s, h, c);
    closest_note(e, s, h);
    tree_update(e, s, h, true);
    /* the evaluation just made is what the next decision of this shape would make, unless it
     * was a verdict alone */
    if (s->tree[1] == (int32_t)h && c->feasible &&
        gv_score_total_reads(e->cfg.policy) == GV_TOTAL_MIX) {
        memcpy(&s->root_cand, c, sizeof(*c));
        s->root_host = (int32_t)h;
    } else if (s->root_host == (int32_t)h) {
        s->root_host = -1;
    }
}

/* Is @s asked for often (GV_SHAPE_HOT_USES times in the last GV_SHAPE_HOT_WINDOW decisions)? */
static bool
shape_hot(const gv_engine *e, const gv_shape_index *s)
{
    if (s->n_used < GV_SHAPE_HOT_USES)
        return false;
    return e->shape_clock - s->used_at[s->n_used % GV_SHAPE_HOT_USES] < GV_SHAPE_HOT_WINDOW;
}

/* @s is asked for now. */
static void
shape_use(gv_engine *e, gv_shape_index *s)
{
    s->last_used = ++e->shape_clock;
    s->used_at[s->n_used++ % GV_SHAPE_HOT_USES] = s->last_used;
}

/* Bring @s up to date: re-evaluate every host that changed since @s was last asked for. */
static void
shape_sync(gv_engine *e, gv_shape_index *s)
{
    for (size_t i = 0; i < s->n_stale; i++) {
        size_t h = (size_t)s->stale_at[i];

        s->stale[h] = 0;
        shape_host_update(e, s, h);
    }
    s->n_stale = 0;
}

/* How many shapes the engine keeps: GV_SHAPES_MAX, fewer where a fleet's trees would pass
 * GV_SHAPE_LEAVES_MAX leaves together. */
static size_t
shapes_max(const gv_engine *e)
{
    size_t size = 1, n;

    while (size < e->fleet->n_hosts)
        size <<= 1;
    n = (size_t)(GV_SHAPE_LEAVES_MAX / size);
    return n < GV_SHAPES_MIN ? GV_SHAPES_MIN : n > GV_SHAPES_MAX ? GV_SHAPES_MAX : n;
}

static gv_shape_index *
shape_get(gv_engine *e, const gv_request *r)
{
    gv_request shape;
    uint64_t hash = gv_shape_hash(r);
    size_t victim = 0;

    for (size_t i = 0; i < e->n_shapes; i++) {
        gv_shape_index *s = e->shapes[i];
        if (s->hash == hash && gv_shape_matches(&s->shape, r)) {
            shape_use(e, s);
            shape_sync(e, s);
            return s;
        }
    }
    gv_shape_of(r, &shape);
    if (e->n_shapes < shapes_max(e)) {
        *GV_ARRAY_APPEND(e->shapes, e->n_shapes) = NULL;
        victim = e->n_shapes - 1;
    } else {
        for (size_t i = 1; i < e->n_shapes; i++)
            if (e->shapes[i]->last_used < e->shapes[victim]->last_used)
                victim = i;
        shape_free(e->shapes[victim]);
    }
    e->shapes[victim] = shape_build(e, &shape, hash);
    shape_use(e, e->shapes[victim]);
    return e->shapes[victim];
}

void
gv_index_host_changed(gv_engine *e, size_t h)
{
    for (size_t i = 0; i < e->n_shapes; i++) {
        gv_shape_index *s = e->shapes[i];

        if (s->fixed[h] || s->stale[h])
            continue;
        if (!s->n_stale && shape_hot(e, s)) {
            shape_host_update(e, s, h);
            continue;
        }
        s->stale[h] = 1;
        s->stale_at[s->n_stale++] = (int32_t)h;
    }
}

void
gv_index_host_refresh(gv_engine *e, size_t h)
{
    for (size_t i = 0; i < e->n_shapes; i++)
        e->shapes[i]->fixed[h] = 0;
    gv_index_host_changed(e, h);
}

void
gv_index_flush(gv_engine *e)
{
    for (size_t i = 0; i < e->n_shapes; i++)
        shape_free(e->shapes[i]);
    e->n_shapes = 0;
}

void
gv_index_mix_changed(gv_engine *e)
{
    if (gv_score_total_reads(e->cfg.policy) == GV_TOTAL_MIX) {
        gv_index_flush(e);
        return;
    }
    /* the verdicts stand; a full candidate's MIG starts and score fields read the mix */
    for (size_t i = 0; i < e->n_shapes; i++) {
        e->shapes[i]->root_host = -1;
        e->shapes[i]->n_details = 0;
    }
}

void
gv_index_free(gv_engine *e)
{
    gv_index_flush(e);
    free(e->shapes);
    e->shapes = NULL;
}

size_t
gv_index_memory_bytes(const gv_engine *e)
{
    size_t n = 0;

    for (size_t i = 0; i < e->n_shapes; i++)
        n += sizeof(gv_shape_index) + e->shapes[i]->n * (3 * sizeof(int32_t) + 3) +
             2 * e->shapes[i]->size * sizeof(int32_t);
    return n;
}

/* Fill every reason's list that ran empty while hosts have the reason: one pass over the
 * fleet. */
static void
closest_refresh(const gv_engine *e, gv_shape_index *s)
{
    bool stale[GV_REASON_LAST], any = false;

    for (int k = 0; k < GV_REASON_LAST; k++) {
        stale[k] = !s->n_closest[k] && s->reason_count[k];
        any |= stale[k];
    }
    if (!any)
        return;
    for (size_t h = 0; h < s->n; h++) {
        int k = s->reason[h];

        if (k != GV_REASON_LAST && stale[k])
            closest_insert(e, s, k, h, true);
    }
}

/* Add failed host @h to the explanation, with its detail (evaluated once until @h changes). */
static void
explain_host(gv_engine *e, gv_shape_index *s, size_t h, gv_explain *x)
{
    gv_candidate *c = e->index_cand;
    const gv_explain_detail *d = NULL;

    for (size_t i = 0; i < s->n_details && !d; i++)
        if (s->details[i].host == (int32_t)h)
            d = &s->details[i];
    if (!d) {
        gv_explain_detail *nd;

        gv_eval_host(e, h, &s->ask, GV_EVAL_DETAIL, c);
        if (s->n_details == GV_SHAPE_DETAILS)
            s->n_details--; /* full: the last one goes (a host shown before, now not) */
        nd = &s->details[s->n_details++];
        nd->host = (int32_t)h;
        nd->reason = c->fail;
        nd->shortfall = c->shortfall;
        memcpy(nd->detail, c->detail, sizeof(nd->detail));
        d = nd;
    }
    c->host = (int)h;
    c->feasible = false;
    c->fail = d->reason;
    c->shortfall = d->shortfall;
    memcpy(c->detail, d->detail, sizeof(c->detail));
    gv_explain_add(x, e, c);
}

/* Nothing fits: the closest host of every reason and the few closest of all, as the reference
 * would keep them from adding every host, then the counts. */
static void
explain_failures(gv_engine *e, gv_shape_index *s, gv_explain *x)
{
    int32_t top[GV_EXPLAIN_MAX_CLOSEST];
    int n_top = 0;

    closest_refresh(e, s);
    for (int k = 0; k < GV_REASON_LAST; k++)
        if (s->reason_count[k])
            explain_host(e, s, (size_t)s->closest[k][0], x);
    /* the tree orders failed hosts by closeness: take its root a few times */
    while (n_top < GV_EXPLAIN_MAX_CLOSEST && s->tree[1] >= 0) {
        top[n_top] = s->tree[1];
        tree_update(e, s, (size_t)top[n_top++], false);
    }
    for (int t = 0; t < n_top; t++)
        tree_update(e, s, (size_t)top[t], true);
    for (int t = 0; t < n_top; t++)
        explain_host(e, s, (size_t)top[t], x);
    for (int k = 0; k < GV_REASON_LAST; k++)
        x->reasons[k].n_hosts = s->reason_count[k];
}

bool
gv_index_decide(gv_engine *e, const gv_ask *a, bool explain, gv_candidate *best,
                gv_candidate *second, gv_explain *x)
{
    gv_shape_index *s = shape_get(e, a->r);
    int root = s->tree[1];

    x->n_hosts = s->n;
    x->n_feasible = s->n_feasible;
    if (root < 0 || s->reason[root] != GV_REASON_LAST) {
        explain_failures(e, s, x);
        return false;
    }
    if (e->cfg.policy == GV_POLICY_RANDOM) {
        /* the draw picks among the feasible hosts in fleet order, as the reference does */
        size_t k = gv_policy_pick(e, s->n_feasible), h = 0;

        for (;; h++)
            if (s->reason[h] == GV_REASON_LAST && k-- == 0)
                break;
        gv_eval_host(e, h, a, 0, best);
        return true;
    }
    if (s->root_host == root) {
        memcpy(best, &s->root_cand, sizeof(*best));
    } else {
        gv_eval_host(e, (size_t)root, a, 0, best);
        memcpy(&s->root_cand, best, sizeof(*best));
        s->root_host = root;
    }
    if (explain && s->n_feasible > 1) {
        int runner;

        tree_update(e, s, (size_t)root, false);
        runner = s->tree[1];
        tree_update(e, s, (size_t)root, true);
        if (runner >= 0 && s->reason[runner] == GV_REASON_LAST) {
            gv_eval_host(e, (size_t)runner, a, 0, second);
            x->has_runner_up = true;
        }
    }
    return true;
}

/* The index's own bookkeeping against a scan of its verdicts: the counts, the tree's winner,
 * and every reason's kept list being that reason's closest hosts, in order. */
int
gv_index_check(const gv_engine *e, gv_err *err)
{
    for (size_t i = 0; i < e->n_shapes; i++) {
        const gv_shape_index *s = e->shapes[i];
        size_t count[GV_REASON_LAST + 1] = {0};
        int best = -1;

        for (size_t h = 0; h < s->n; h++) {
            count[s->reason[h]]++;
            if (leaf_better(e, s, (int)h, best))
                best = (int)h;
        }
        if (count[GV_REASON_LAST] != s->n_feasible || best != s->tree[1])
            return gv_err_set(err, GV_E_INTERNAL, "index",
                              "shape %zu: %zu feasible hosts counted, %zu kept; best host %d, "
                              "tree root %d",
                              i, count[GV_REASON_LAST], s->n_feasible, best, s->tree[1]);
        for (int k = 0; k < GV_REASON_LAST; k++) {
            const int32_t *l = s->closest[k];
            int m = s->n_closest[k];

            if (count[k] != s->reason_count[k] || (size_t)m > count[k])
                return gv_err_set(err, GV_E_INTERNAL, "index",
                                  "shape %zu reason %s: %zu hosts counted, %zu kept, %d listed", i,
                                  gv_reason_to_string((gv_reason)k), count[k], s->reason_count[k],
                                  m);
            for (int j = 0; j < m; j++) {
                /* l[j] has reason k and exactly j hosts of reason k are closer */
                size_t n_closer = 0;

                for (size_t h = 0; h < s->n; h++)
                    n_closer += s->reason[h] == k && closer(e, s, h, (size_t)l[j]);
                if (s->reason[l[j]] != k || n_closer != (size_t)j)
                    return gv_err_set(err, GV_E_INTERNAL, "index",
                                      "shape %zu reason %s: closest[%d] is host %d, which %zu "
                                      "hosts of the reason are closer than",
                                      i, gv_reason_to_string((gv_reason)k), j, (int)l[j], n_closer);
            }
        }
    }
    return 0;
}
