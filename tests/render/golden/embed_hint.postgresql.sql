SELECT NULL AS total, count(*) AS page_total, (coalesce(json_agg(_dbrest_t), '[]'))::text AS body, current_setting($1::VARCHAR, true) AS response_headers, current_setting($2::VARCHAR, true) AS response_status 
FROM (SELECT t."id" AS "id", (SELECT row_to_json(_dbrest_t_t1) AS anon_1 
FROM (SELECT t1."city" AS "city" 
FROM "public"."addresses" AS t1 
WHERE t1."id" = t."billing_address_id") AS _dbrest_t_t1) AS "billing", (SELECT row_to_json(_dbrest_t_t2) AS anon_2 
FROM (SELECT t2."city" AS "city" 
FROM "public"."addresses" AS t2 
WHERE t2."id" = t."shipping_address_id") AS _dbrest_t_t2) AS "shipping" 
FROM "public"."orders" AS t) AS _dbrest_t
-- params: ["response.headers", "response.status"]
