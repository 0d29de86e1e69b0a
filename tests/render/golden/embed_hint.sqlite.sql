SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id, ?, json(_dbrest_t.billing), ?, json(_dbrest_t.shipping))), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id", (SELECT json_object(?, _dbrest_t_t1.city) AS anon_1 
FROM (SELECT t1."city" AS "city" 
FROM "addresses" AS t1 
WHERE t1."id" = t."billing_address_id") AS _dbrest_t_t1) AS "billing", (SELECT json_object(?, _dbrest_t_t2.city) AS anon_2 
FROM (SELECT t2."city" AS "city" 
FROM "addresses" AS t2 
WHERE t2."id" = t."shipping_address_id") AS _dbrest_t_t2) AS "shipping" 
FROM "orders" AS t) AS _dbrest_t
-- params: ["id", "billing", "shipping", "response.headers", "response.status", "city", "city"]
