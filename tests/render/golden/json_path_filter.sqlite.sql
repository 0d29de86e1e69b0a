SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id)), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT t."id" AS "id" 
FROM "books" AS t 
WHERE (CASE json_type(t."meta", ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(t."meta" ->> ? AS TEXT) END) = ? AND json_extract((t."meta" -> ?), '$') > json_extract(json(?), '$')) AS _dbrest_t
-- params: ["id", "response.headers", "response.status", "$.\"lang\"", "$.\"lang\"", "en", "$.\"rating\"", "4"]
