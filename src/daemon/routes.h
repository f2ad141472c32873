/*
 * routes.h - the handlers of the route table (routes.c), one per route, by file.
 */
#ifndef GV_DAEMON_ROUTES_H
#define GV_DAEMON_ROUTES_H

#include <jansson.h>

#include "daemon/daemon.h"

/* route_meta.c */
void gv_route_healthz(gv_call *c);
void gv_route_readyz(gv_call *c);
void gv_route_metrics(gv_call *c);
/* route_hosts.c */
void gv_route_host_list(gv_call *c);
void gv_route_host_get(gv_call *c);
void gv_route_host_cordon(gv_call *c);
void gv_route_host_uncordon(gv_call *c);
void gv_route_host_set_state(gv_call *c);
/* Write host @h's row (its canonical JSON, @simulated) in the current transaction. */
int gv_daemon_store_host(gv_daemon *d, const gv_host *h, bool simulated, gv_err *err);
/* state_load.c */
void gv_route_fleet_import(gv_call *c);
/* An op that imports @add (taken over) as hosts simulated or not; @source names it in the
 * audit record. */
gv_op *gv_daemon_import_op(gv_fleet *add, bool simulated, const char *source);
/* route_vms.c */
void gv_route_vm_create(gv_call *c);
void gv_route_vm_list(gv_call *c);
void gv_route_vm_get(gv_call *c);
void gv_route_vm_delete(gv_call *c);
void gv_route_vm_xml(gv_call *c);
void gv_route_vm_stop(gv_call *c);
void gv_route_vm_start(gv_call *c);
void gv_route_placement_explain(gv_call *c);
/* route_identity.c */
void gv_route_tenant_create(gv_call *c);
void gv_route_tenant_list(gv_call *c);
void gv_route_user_create(gv_call *c);
void gv_route_user_list(gv_call *c);
void gv_route_token_create(gv_call *c);
void gv_route_token_list(gv_call *c);
void gv_route_token_revoke(gv_call *c);
gv_token_rec *gv_daemon_new_token(const char *user, const char *description, char secret[64]);
void gv_daemon_add_token(gv_daemon *d, gv_token_rec *t);
int gv_daemon_store_token(gv_daemon *d, const gv_token_rec *t, gv_err *err);
/* route_audit.c */
void gv_route_audit_list(gv_call *c);
void gv_route_audit_verify(gv_call *c);
void gv_route_audit_export(gv_call *c);
json_t *gv_audit_record_json(const gv_audit_record *r);
/* The verdict as {"ok", "records", "checkpoints", "first_bad_seq", "reason"}. Caller frees. */
char *gv_audit_report_json(const gv_audit_report *rep);

#endif
